/**
 * fsck's judgement of the cache: an entry is dangling when a run could not reuse it, because
 * it is damaged, its task is missing, damaged, failed or has another key, or an output of that
 * task is missing or damaged. `--repair` drops dangling entries, so the next run with that key
 * runs the task again instead of meeting the damage.
 */
import { isDamagedRecord } from '../record-check.js';
import { keys } from '../records.js';
import type { CacheEntryListing } from '../maintenance.js';
import type { Store } from '../store.js';
import type { ObjectLedger } from './objects.js';
import type { ProblemSink } from './problems.js';
import type { RecordChecker } from './records.js';

export class CacheEntryChecker {
  checked = 0;
  dropped = 0;

  constructor(
    private readonly store: Store, private readonly ledger: ObjectLedger, private readonly records: RecordChecker,
    private readonly sink: ProblemSink, private readonly repair: boolean,
  ) {}

  async check(c: CacheEntryListing): Promise<void> {
    this.checked++;
    const why = await this.whyDangling(c);
    if (why === undefined) return;
    const key = keys.cacheEntry(c.cacheKey);
    if (this.repair) {
      await this.store.maintenance.deleteCacheEntry(c.cacheKey);
      this.dropped++;
    }
    this.sink.add({ kind: 'dangling-cache-entry', key, message: `dangling cache entry ${key}: ${why}`, ...(this.repair ? { repaired: 'dropped' as const } : {}) });
  }

  private async whyDangling(c: CacheEntryListing): Promise<string | undefined> {
    if (!c.entry) return c.problem ?? 'it cannot be read';
    const e = c.entry;
    const task = `${e.flow}/${e.runId}/${e.step}/${e.taskId}`;
    let rec;
    try {
      rec = await this.store.readTask(e.flow, e.runId, e.step, e.taskId);
    } catch (err) {
      if (!isDamagedRecord(err)) throw err;
      return `its task ${task} has a damaged record`;
    }
    if (!rec) return `its task ${task} does not exist`;
    if (rec.state !== 'succeeded' && rec.state !== 'cached') return `its task ${task} did not succeed (${rec.state})`;
    if (rec.cacheKey !== c.cacheKey) return `its task ${task} has another cache key`;
    const from = keys.task(e.flow, e.runId, e.step, e.taskId);
    for (const o of rec.outputs) {
      const state = await this.ledger.refer(o.hash, { from, path: o.path });
      if (state !== 'intact') return `output ${o.path} of ${task} is ${state}`;
      if (o.type === 'dir' && this.records.badDirs.has(o.hash)) return `a file of output ${o.path}/ of ${task} is missing or damaged`;
    }
    return undefined;
  }
}
