/**
 * Bounded parallelism for S3 requests: a task fan-out that finishes 200 outputs at once
 * must not open 200 uploads. Waiters are served first-come, first-served.
 */
export class Limit {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new Error(`Limit needs a positive integer, got ${max}`);
  }

  /** Example: `await limit.run(() => client.send(cmd))`. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active < this.max) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, so `active` never dips and lets a newcomer jump the queue.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
