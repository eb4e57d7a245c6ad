/**
 * FIFO of ready tasks. Taking from the head is O(1) (a 10,000-task fan-out must not make
 * dispatch quadratic); when the head doesn't fit the free resources, a bounded scan finds
 * a smaller task that does, so a big task can't idle the machine.
 */
const SCAN_LIMIT = 64;

export class TaskQueue<T> {
  private items: Array<{ item: T; prepared: any } | undefined> = [];
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(item: T, prepared: unknown): void {
    this.items.push({ item, prepared });
    this.count++;
  }

  takeFirst(fits: (item: T) => boolean): { item: T; prepared: any } | undefined {
    let scanned = 0;
    for (let i = this.head; i < this.items.length && scanned < SCAN_LIMIT; i++) {
      const e = this.items[i];
      if (!e) continue;
      scanned++;
      if (!fits(e.item)) continue;
      this.items[i] = undefined;
      this.count--;
      while (this.head < this.items.length && this.items[this.head] === undefined) this.head++;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items = this.items.slice(this.head);
        this.head = 0;
      }
      return e;
    }
    return undefined;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
    this.count = 0;
  }
}
