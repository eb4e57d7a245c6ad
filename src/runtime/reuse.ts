/**
 * Finding earlier work to reuse instead of running a task: a cache-key hit anywhere in the
 * store, or (for `resume`) the same task of the origin run. Either is only trusted when its
 * record says it succeeded and every output object is still in the store; those objects are
 * then marked as used (Store.useOutputs), so a concurrent `gc` keeps them. A damaged cache
 * entry or task record is a miss: the task runs again, the run never fails for it.
 */
import type { TaskIdentity } from '../graph/cache-key.js';
import { isDamagedRecord } from '../store/record-check.js';
import type { TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Where a run may take earlier work from: the cache (unless `--no-cache`) and, for a resume, its origin. */
export interface ReusePolicy {
  cache: boolean;
  /** `resume`: clone successful tasks of this run, except in the steps to re-run. */
  origin?: { runId: string; rerun: Set<string> };
}

/** Earlier work found for a task, and how. */
export interface Reused {
  record: TaskRecord;
  how: 'resume' | 'cache';
}

export class TaskReuse {
  constructor(private readonly store: Store, private readonly flow: string, private readonly policy: ReusePolicy = { cache: true }) {}

  /**
   * The earlier task to reuse for this one: the origin's same task (resume), else a cache hit
   * (unless caching is off for the run or the step, or `--from` re-runs the step).
   */
  async find(step: string, taskId: string, stepCache: boolean, id: TaskIdentity): Promise<Reused | undefined> {
    const { origin } = this.policy;
    if (origin && !origin.rerun.has(step)) {
      const record = await this.fromOrigin(origin.runId, step, taskId, id.cloneKey);
      if (record) return { record, how: 'resume' };
    }
    if (this.skipped(step, stepCache)) return undefined;
    const record = await this.fromCache(id.cacheKey);
    return record && { record, how: 'cache' };
  }

  /** Why no cache lookup is made for a task of this step, if none is: what task.json keeps as `cacheSkipped`. */
  skipped(step: string, stepCache: boolean): TaskRecord['cacheSkipped'] {
    if (this.policy.origin?.rerun.has(step)) return 'rerun';
    if (!this.policy.cache) return 'no-cache';
    if (!stepCache) return 'cache-off';
    return undefined;
  }

  async fromCache(key: string): Promise<TaskRecord | undefined> {
    const entry = await this.store.readCacheEntry(key); // a damaged entry is a miss, never an error
    if (!entry) return undefined;
    const rec = await this.readTask(entry.flow, entry.runId, entry.step, entry.taskId);
    return rec && rec.cacheKey === key ? rec : undefined;
  }

  /**
   * The origin run's task at the same place, if it is the same task: same clone key (step,
   * task id, items, command, env, params, inputs, outputs; not code). Records written before
   * clone keys existed never match: such a task runs again.
   */
  async fromOrigin(originRunId: string, step: string, taskId: string, cloneKey: string): Promise<TaskRecord | undefined> {
    const rec = await this.readTask(this.flow, originRunId, step, taskId);
    return rec && rec.cloneKey === cloneKey ? rec : undefined;
  }

  async remember(key: string, runId: string, step: string, taskId: string): Promise<void> {
    await this.store.writeCacheEntry(key, { flow: this.flow, runId, step, taskId });
  }

  private async readTask(flow: string, runId: string, step: string, taskId: string): Promise<TaskRecord | undefined> {
    let rec: TaskRecord | undefined;
    try {
      rec = await this.store.readTask(flow, runId, step, taskId);
    } catch (e) {
      if (isDamagedRecord(e)) return undefined;
      throw e;
    }
    if (!rec || !Array.isArray(rec.outputs)) return undefined;
    if (rec.state !== 'succeeded' && rec.state !== 'cached') return undefined;
    return (await this.store.useOutputs(rec.outputs)) ? rec : undefined;
  }
}
