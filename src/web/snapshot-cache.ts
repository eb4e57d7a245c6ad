/**
 * Run page snapshots of finished runs, which no longer change (tags, which can, are re-read on
 * every request). Bounded by the number of task rows held, so a few 10,000-task runs cannot
 * grow the server without limit; least recently used first out.
 */
import type { Run } from '../client/index.js';
import { buildSnapshot } from './run-snapshot.js';
import type { RunSnapshot } from './shared/types.js';

export class SnapshotCache {
  private readonly entries = new Map<string, { snap: RunSnapshot; rows: number }>();
  private rows = 0;

  /** @param maxRows task rows kept in all (default 60,000: a few large runs, many small ones) */
  constructor(private readonly maxRows = 60_000) {}

  /** The run's snapshot, with its current record and tags. */
  async get(run: Run): Promise<RunSnapshot> {
    const key = run.pathspec;
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return { ...hit.snap, run: { ...run.toJSON(), status: run.status } };
    }
    const snap = await buildSnapshot(run);
    if (run.finished) this.put(key, snap);
    return snap;
  }

  private put(key: string, snap: RunSnapshot): void {
    const rows = Object.values(snap.tasks).reduce((n, r) => n + r.length, 0) + 1;
    if (rows > this.maxRows) return;
    this.entries.set(key, { snap, rows });
    this.rows += rows;
    for (const [k, e] of this.entries) {
      if (this.rows <= this.maxRows) break;
      this.entries.delete(k);
      this.rows -= e.rows;
    }
  }
}
