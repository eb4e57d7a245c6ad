/**
 * Finding earlier work to reuse instead of running a task: a cache-key hit anywhere in the
 * store, or (for `resume`) the same task of the origin run. Either is only trusted when its
 * record says it succeeded and every output object is still in the store. A damaged cache
 * entry or task record is a miss: the task runs again, the run never fails for it.
 */
import { cacheEntryShape, isDamagedRecord, parseRecord } from '../store/record-check.js';
import { keys, type TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

interface CacheEntry {
  flow: string;
  runId: string;
  step: string;
  taskId: string;
}

export class TaskReuse {
  constructor(private readonly store: Store, private readonly flow: string) {}

  async fromCache(key: string): Promise<TaskRecord | undefined> {
    const text = await this.store.backend.getText(keys.cacheEntry(key));
    if (text === undefined) return undefined;
    let entry: CacheEntry;
    try {
      entry = parseRecord<CacheEntry>(keys.cacheEntry(key), text, cacheEntryShape, this.store.location);
    } catch (e) {
      if (isDamagedRecord(e)) return undefined;
      throw e;
    }
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
    const entry: CacheEntry = { flow: this.flow, runId, step, taskId };
    await this.store.backend.putText(keys.cacheEntry(key), JSON.stringify(entry));
  }

  private async readTask(flow: string, runId: string, step: string, taskId: string): Promise<TaskRecord | undefined> {
    let rec: TaskRecord | undefined;
    try {
      rec = await this.store.readTask(flow, runId, step, taskId);
    } catch (e) {
      if (isDamagedRecord(e)) return undefined;
      throw e;
    }
    if (!rec) return undefined;
    if (rec.state !== 'succeeded' && rec.state !== 'cached') return undefined;
    const present = await Promise.all(rec.outputs.map((o) => this.store.backend.hasObject(o.hash)));
    return present.every(Boolean) ? rec : undefined;
  }
}
