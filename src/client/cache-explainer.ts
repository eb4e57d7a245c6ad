/**
 * Why a task was not reused, from the store. It compares the task's key with the closest
 * earlier task of the same step: the origin run's task for a resume; else the same task id in
 * the most recent earlier run that has one (in any namespace, as the cache itself looks); else
 * the task with the same item (a reordered foreach list). An earlier task with the very same
 * key explains itself (it failed, or its outputs are gone). Code changes are named file by file
 * from the two runs' code manifests (graph/key-diff.ts). Everything read is memoized, so a dry
 * run explaining a thousand tasks lists each earlier run once.
 */
import {
  notReusedStatus, type CacheExplainer, type CacheStatus, type ComparedTask, type ExplainFacts, type NotReusedReason,
} from '../graph/cache-status.js';
import { diffKeys, type KeySide } from '../graph/key-diff.js';
import type { CodeFile } from '../store/manifest.js';
import type { RunRecord, TaskRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { plannedDeps } from './plan.js';

/** Earlier runs looked at, most recent first. */
const MAX_RUNS = 200;
/** Earlier tasks of the same id looked at for one with the very same key. */
const SAME_KEY_LOOK_BACK = 5;
/** Earlier runs whose tasks are scanned for the same item, when no run has the same task id. */
const ITEM_LOOK_BACK = 5;

/** What a run contributes to a side of a comparison: its params, code and steps' deps. */
export interface RunFacts {
  record: RunRecord;
  code?: { files: CodeFile[]; flowFile: string };
  deps?: Map<string, string[] | null>;
}

export class StoreCacheExplainer implements CacheExplainer {
  private runIds?: Promise<string[]>;
  private readonly steps = new Map<string, Promise<Set<string>>>();
  private readonly tasks = new Map<string, Promise<Set<string>>>();
  private readonly items = new Map<string, Promise<Map<string, TaskRecord>>>();
  private readonly runs = new Map<string, Promise<RunFacts | undefined>>();

  constructor(private readonly store: Store, private readonly flow: string) {}

  async explain(f: ExplainFacts): Promise<CacheStatus> {
    const { verb, step } = f;
    if (f.skipped) return notReusedStatus(verb, f.skipped, { step });
    const sameKey = await this.sameKeyInCache(f);
    if (sameKey) return notReusedStatus(verb, await this.unusable(sameKey), { step, comparedWith: this.ref(sameKey) });
    const earlier = await this.closest(f);
    if (!earlier?.keyParts) return notReusedStatus(verb, 'new', { step });
    const comparedWith = this.ref(earlier);
    const cloneable = earlier.runId === f.originRunId && earlier.cloneKey === f.cloneKey;
    if (earlier.cacheKey === f.cacheKey || cloneable) return notReusedStatus(verb, await this.unusable(earlier), { step, comparedWith });
    const run = await this.runFacts(earlier.runId);
    const before: KeySide = {
      parts: earlier.keyParts, command: earlier.command ?? null, item: earlier.item, params: run?.record.params,
      code: run?.code, deps: run?.deps ? run.deps.get(step) ?? null : undefined,
    };
    const now: KeySide = { parts: f.parts, command: f.command, item: f.item, params: f.params, code: f.code, deps: f.deps };
    return notReusedStatus(verb, 'changed', { step, comparedWith, changes: diffKeys(before, now, f.inputSources) });
  }

  /** @internal A run's record, code manifest and steps' deps (undefined when the run has no record). */
  runFacts(runId: string): Promise<RunFacts | undefined> {
    return memo(this.runs, runId, async () => {
      const record = await this.store.readRun(this.flow, runId).catch(() => undefined);
      if (!record) return undefined;
      const [manifest, deps] = await Promise.all([
        record.codeHash ? this.store.readCodeManifest(record.codeHash).catch(() => undefined) : undefined,
        plannedDeps(this.store, this.flow, runId).catch(() => undefined),
      ]);
      return { record, code: manifest && { files: manifest.files, flowFile: record.flowFile }, deps };
    });
  }

  /** The task the cache index holds for this key, if it is earlier than the task explained. */
  private async sameKeyInCache(f: ExplainFacts): Promise<TaskRecord | undefined> {
    const entry = await this.store.readCacheEntry(f.cacheKey);
    if (!entry || entry.flow !== this.flow || (f.runId !== null && entry.runId >= f.runId)) return undefined;
    const rec = await this.readTask(entry.runId, entry.step, entry.taskId);
    return rec?.cacheKey === f.cacheKey ? rec : undefined;
  }

  /** Why an earlier task with the same key (or a resume's same task) was not taken. */
  private async unusable(rec: TaskRecord): Promise<NotReusedReason> {
    if (rec.state !== 'succeeded' && rec.state !== 'cached') return 'earlier-failed';
    const present = Array.isArray(rec.outputs) && (await this.store.hasOutputs(rec.outputs).catch(() => false));
    return present ? 'same-key' : 'outputs-gone';
  }

  /**
   * The earlier task to compare with: the most recent one with key parts, unless one of the few
   * before it has the very same key (it failed, say: that is the better explanation).
   */
  private async closest(f: ExplainFacts): Promise<TaskRecord | undefined> {
    const ids = (await this.earlierRuns()).filter((id) => f.runId === null || id < f.runId);
    const order = f.originRunId ? [f.originRunId, ...ids.filter((id) => id !== f.originRunId)] : ids;
    let first: TaskRecord | undefined;
    let seen = 0;
    for (const id of order) {
      if (!(await this.taskIds(id, f.step)).has(f.taskId)) continue;
      const rec = await this.readTask(id, f.step, f.taskId);
      if (!rec?.keyParts) continue;
      if (rec.cacheKey === f.cacheKey || (id === f.originRunId && rec.cloneKey === f.cloneKey)) return rec;
      first ??= rec;
      // The origin's task is the one a resume compares with.
      if (id === f.originRunId || ++seen >= SAME_KEY_LOOK_BACK) break;
    }
    if (first) return first;
    if (f.parts.item === null) return undefined;
    let scanned = 0;
    for (const id of order) {
      if (!(await this.stepNames(id)).has(f.step)) continue;
      const hit = (await this.byItem(id, f.step)).get(f.parts.item);
      if (hit) return hit;
      if (++scanned >= ITEM_LOOK_BACK) break;
    }
    return undefined;
  }

  private earlierRuns(): Promise<string[]> {
    this.runIds ??= this.store.listRuns(this.flow).then((ids) => ids.reverse().slice(0, MAX_RUNS));
    return this.runIds;
  }

  private stepNames(runId: string): Promise<Set<string>> {
    return memo(this.steps, runId, async () => new Set(await this.store.listSteps(this.flow, runId)));
  }

  private taskIds(runId: string, step: string): Promise<Set<string>> {
    return memo(this.tasks, `${runId}\0${step}`, async () =>
      ((await this.stepNames(runId)).has(step) ? new Set(await this.store.listTasks(this.flow, runId, step)) : new Set<string>()));
  }

  /** A run's tasks of a step by item digest (the first task with each item). */
  private byItem(runId: string, step: string): Promise<Map<string, TaskRecord>> {
    return memo(this.items, `${runId}\0${step}`, async () => {
      const out = new Map<string, TaskRecord>();
      for (const id of await this.taskIds(runId, step)) {
        const rec = await this.readTask(runId, step, id);
        const item = rec?.keyParts?.item;
        if (item && !out.has(item)) out.set(item, rec);
      }
      return out;
    });
  }

  private readTask(runId: string, step: string, taskId: string): Promise<TaskRecord | undefined> {
    return this.store.readTask(this.flow, runId, step, taskId).catch(() => undefined); // a damaged record is no earlier task
  }

  private ref(rec: TaskRecord): ComparedTask {
    const state = rec.state === 'failed' && rec.reason === 'interrupted' ? 'interrupted' : rec.state;
    return { pathspec: `${this.flow}/${rec.runId}/${rec.step}/${rec.taskId}`, runId: rec.runId, step: rec.step, taskId: rec.taskId, state };
  }
}

function memo<T>(m: Map<string, Promise<T>>, key: string, make: () => Promise<T>): Promise<T> {
  let p = m.get(key);
  if (!p) {
    p = make();
    m.set(key, p);
  }
  return p;
}
