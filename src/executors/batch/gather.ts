/**
 * Collects attempts that can share one submission (same step, job definition, queue and
 * timeout) so that a fan-out becomes one array job. The runtime starts a fan-out's tasks one by
 * one, each after its own cache lookup, so they arrive over a short while: a group is handed
 * on once every task of the fan-outs it has heard of has arrived (the first attempt of a
 * fanned-out task says how many siblings it has), or when nothing new came for `idleMs`
 * (some were reused from the cache, or these are retries), and at the latest `maxWaitMs`
 * after its first arrival — or `fanoutWaitMs` while every attempt in it belongs to a fan-out
 * whose size is known (a thousand cache lookups against S3 take longer than a few seconds,
 * and cutting there would make two array jobs of one fan-out).
 */

export interface GatherOptions {
  idleMs: number;
  maxWaitMs: number;
  /** The latest hand-on of a group of first attempts of known fan-outs (default maxWaitMs). */
  fanoutWaitMs?: number;
}

interface Group<T> {
  items: T[];
  firstAt: number;
  /** Fan-outs heard of: key → task count. */
  fanouts: Map<string, number>;
  /** Every item came with a fan-out hint (first attempts of fanned-out tasks). */
  allHinted: boolean;
  timer?: NodeJS.Timeout;
}

export class Gatherer<T> {
  private readonly groups = new Map<string, Group<T>>();

  constructor(private readonly flush: (key: string, items: T[]) => void, private readonly o: GatherOptions) {}

  add(key: string, item: T, fanout?: { key: string; size: number }): void {
    let g = this.groups.get(key);
    if (!g) {
      g = { items: [], firstAt: Date.now(), fanouts: new Map(), allHinted: true };
      this.groups.set(key, g);
    }
    g.items.push(item);
    if (fanout) g.fanouts.set(fanout.key, fanout.size);
    else g.allHinted = false;
    const expected = [...g.fanouts.values()].reduce((a, b) => a + b, 0);
    if (g.allHinted && g.items.length >= expected) return this.take(key);
    clearTimeout(g.timer);
    const cap = g.allHinted ? Math.max(this.o.maxWaitMs, this.o.fanoutWaitMs ?? 0) : this.o.maxWaitMs;
    const wait = Math.max(0, Math.min(this.o.idleMs, g.firstAt + cap - Date.now()));
    g.timer = setTimeout(() => this.take(key), wait);
  }

  /** Take an item out before its group is handed on; false when it was already handed on. */
  remove(key: string, item: T): boolean {
    const g = this.groups.get(key);
    const i = g ? g.items.indexOf(item) : -1;
    if (!g || i < 0) return false;
    g.items.splice(i, 1);
    if (g.items.length === 0) {
      clearTimeout(g.timer);
      this.groups.delete(key);
    }
    return true;
  }

  /** Hand on every group now. */
  flushAll(): void {
    for (const key of [...this.groups.keys()]) this.take(key);
  }

  private take(key: string): void {
    const g = this.groups.get(key);
    if (!g) return;
    clearTimeout(g.timer);
    this.groups.delete(key);
    if (g.items.length) this.flush(key, g.items);
  }
}
