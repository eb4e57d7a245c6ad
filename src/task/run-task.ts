/**
 * Runs one task: every attempt in a fresh task directory (project code + staged inputs),
 * through the executor port, with retry/backoff; on success reads FLOW_VALUES and moves the
 * declared outputs into the store. task.json is written last: it is the commit point that
 * makes a task's outputs part of the run.
 */
import path from 'node:path';
import type { Executor } from '../executors/port.js';
import type { PreparedTask, TaskRunner } from '../runtime/engine.js';
import type { RunEventInput } from '../runtime/event-bus.js';
import type { TaskNode } from '../runtime/graph-state.js';
import type { Masker } from '../runtime/mask.js';
import { keys, type AttemptRecord, type OutputEntry, type TaskRecord } from '../store/records.js';
import type { CodeSnapshot, Store } from '../store/store.js';
import { codeKey, taskCacheKey } from '../runtime/cache-key.js';
import { retryDelayMs, sleep } from './backoff.js';
import { TaskReuse } from './reuse.js';
import { buildTaskEnv } from './task-env.js';
import { prepareTaskDir } from './task-dir.js';
import { ScratchPool } from './scratch-pool.js';
import { readValuesFile } from './values.js';

export interface TaskRunnerOptions {
  store: Store;
  executor: Executor;
  flow: string;
  runId: string;
  code: CodeSnapshot;
  params: Record<string, unknown>;
  masker: Masker;
  emit(e: RunEventInput): void;
  /** Keep failed attempts' task directories for debugging. */
  keepFailedDirs?: boolean;
  /** Flow file path relative to the project root (left out of code keys). */
  flowFile: string;
  /** Look up earlier results by cache key (`--no-cache` turns it off). */
  cache: boolean;
  /** `resume`: clone successful tasks of this run, except in the steps to re-run. */
  origin?: { runId: string; rerun: Set<string> };
}

interface AttemptOutcome {
  ok: boolean;
  record: AttemptRecord;
  values?: Record<string, unknown>;
  outputs?: OutputEntry[];
  lastLines: string[];
}

const LAST_LINES = 10;

export class LocalTaskRunner implements TaskRunner {
  private readonly reuse: TaskReuse;
  private readonly codeKeys = new Map<string, string>();
  private readonly scratch: ScratchPool;

  constructor(private readonly o: TaskRunnerOptions) {
    this.reuse = new TaskReuse(o.store, o.flow);
    this.scratch = new ScratchPool(path.join(o.store.backend.scratchDir(), 'tasks', o.runId));
  }

  async record(task: TaskNode): Promise<void> {
    const now = new Date().toISOString();
    await this.writeTask(task, { startedAt: now, finishedAt: now, durationMs: 0, attempts: 0 });
    this.o.emit({ type: 'task-finished', step: task.node.path, taskId: task.taskId, state: task.state, durationMs: 0, reason: task.reason, caught: task.caught });
  }

  async run(task: TaskNode, prepared: PreparedTask, signal: AbortSignal, killSignal: AbortSignal): Promise<void> {
    const spec = task.node.spec;
    const step = task.node.path;
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    const command = this.o.masker.text(prepared.command);
    const cacheKey = this.cacheKeyOf(task, prepared, command);
    if (await this.tryReuse(task, cacheKey, command, started)) return;
    this.o.emit({ type: 'task-started', step, taskId: task.taskId, item: task.hasItem ? task.item : undefined });
    // On a remote store nothing else of a running task exists until its first attempt ends (logs
    // are uploaded then), so `show` and `logs --follow` need this record; locally the live log
    // files and events.ndjson already tell, and the per-task hot path skips the extra write.
    if (this.o.store.backend.localPath(keys.task(this.o.flow, this.o.runId, step, task.taskId)) === undefined) {
      await this.writeTask(task, { startedAt, attempts: 0, command, cacheKey });
    }
    const max = spec.retry.maxAttempts;
    let outcome: AttemptOutcome | undefined;
    let lastFailure: string | undefined;
    let attempt = 0;
    while (attempt < max && !signal.aborted) {
      attempt++;
      this.o.emit({ type: 'attempt-started', step, taskId: task.taskId, attempt, maxAttempts: max, lastFailure });
      outcome = await this.attempt(task, prepared, attempt, signal, killSignal);
      const r = outcome.record;
      const retrying = !outcome.ok && attempt < max && !signal.aborted && r.state !== 'interrupted';
      const delay = retrying ? retryDelayMs(spec.retry, attempt + 1) : undefined;
      this.o.emit({
        type: 'attempt-finished', step, taskId: task.taskId, attempt, state: r.state, exitCode: r.exitCode,
        durationMs: r.durationMs ?? 0, reason: r.reason, willRetryInMs: delay,
      });
      if (outcome.ok || !retrying) break;
      lastFailure = r.reason;
      if (!(await sleep(delay ?? 0, signal))) break;
    }
    const finished = Date.now();
    if (outcome?.ok) {
      task.state = 'succeeded';
      task.values = outcome.values ?? {};
      task.outputs = outcome.outputs ?? [];
    } else {
      task.state = signal.aborted ? 'interrupted' : 'failed';
      task.reason = signal.aborted ? 'interrupted' : outcome?.record.reason ?? 'not started';
      task.caught = spec.catch && !signal.aborted;
    }
    // The cache entry may land before task.json: a lookup trusts an entry only once the task
    // record it names says succeeded, so writing both at once is safe.
    await Promise.all([
      this.writeTask(task, { startedAt, finishedAt: new Date(finished).toISOString(), durationMs: finished - started, attempts: attempt, command, cacheKey }),
      task.state === 'succeeded' && spec.cache ? this.reuse.remember(cacheKey, this.o.runId, step, task.taskId) : undefined,
    ]);
    this.o.emit({
      type: 'task-finished', step, taskId: task.taskId, state: task.state, durationMs: finished - started,
      reason: task.reason, caught: task.caught, lastLines: task.state === 'failed' || task.state === 'interrupted' ? outcome?.lastLines : undefined,
    });
  }

  private async attempt(task: TaskNode, prepared: PreparedTask, attempt: number, signal: AbortSignal, killSignal: AbortSignal): Promise<AttemptOutcome> {
    const { store, flow, runId } = this.o;
    const spec = task.node.spec;
    const step = task.node.path;
    const slot = this.scratch.acquire();
    const workDir = slot.work;
    const valuesFile = path.join(slot.dir, 'values');
    const attemptKey = keys.attemptDir(flow, runId, step, task.taskId, attempt);
    const logPath = (name: string) => store.backend.localPath(`${attemptKey}/${name}`) ?? path.join(slot.dir, name);
    const stdoutPath = logPath('stdout');
    const stderrPath = logPath('stderr');
    const lastLines: string[] = [];
    const startedAt = new Date().toISOString();

    let result;
    let prepError: string | undefined;
    try {
      // The slot is new or was cleaned when handed back: only missing code files are linked.
      await prepareTaskDir(store, this.o.code, workDir, prepared.staging, {
        present: slot.linked,
        onCodeLinked: (paths) => this.scratch.codeLinked(slot, paths),
      });
    } catch (e) {
      prepError = `could not prepare the task directory: ${(e as Error).message}`;
    }
    if (prepError === undefined) {
      result = await this.o.executor.runAttempt({
        runId, step, taskId: task.taskId, attempt, command: prepared.command, shell: spec.shell, cwd: workDir,
        env: buildTaskEnv({
          runId, flow, step, taskId: task.taskId, attempt, hasItem: task.hasItem, item: task.item, itemIndex: task.indices.at(-1),
          params: this.o.params, valuesFile, taskDir: workDir, stepEnv: prepared.env,
        }),
        timeoutMs: spec.timeoutMs, image: spec.image, resources: spec.resources, stdoutPath, stderrPath,
        mask: this.o.masker.active ? (s) => this.o.masker.text(s) : undefined,
        onLog: (stream, line) => {
          lastLines.push(line);
          if (lastLines.length > LAST_LINES) lastLines.shift();
          this.o.emit({ type: 'log', step, taskId: task.taskId, attempt, stream, line });
        },
        signal,
        killSignal,
      });
    }
    const record: AttemptRecord = result
      ? { formatVersion: 1, attempt, state: result.state, exitCode: result.exitCode, signal: result.signal, startedAt: result.startedAt, finishedAt: result.finishedAt, durationMs: result.durationMs, reason: result.reason }
      : { formatVersion: 1, attempt, state: 'failed', exitCode: null, signal: null, startedAt, finishedAt: new Date().toISOString(), durationMs: 0, reason: prepError };

    let values: Record<string, unknown> | undefined;
    let outputs: OutputEntry[] | undefined;
    if (record.state === 'succeeded') {
      try {
        values = await this.readValues(valuesFile);
        outputs = [];
        for (const p of spec.outputs) outputs.push(await store.putOutput(workDir, p, { move: true }));
      } catch (e) {
        record.state = 'failed';
        record.reason = this.o.masker.text((e as Error).message);
      }
    }
    if (store.backend.localPath(`${attemptKey}/stdout`) === undefined) {
      await store.backend.putFile(`${attemptKey}/stdout`, stdoutPath, { move: true });
      await store.backend.putFile(`${attemptKey}/stderr`, stderrPath, { move: true });
    }
    await store.backend.putText(`${attemptKey}/attempt.json`, JSON.stringify(record, null, 2));
    // Emptied off the task's critical path (settle() awaits it); failed ones kept when asked.
    const keep = record.state !== 'succeeded' && this.o.keepFailedDirs;
    this.scratch.release(slot, keep ? `${step}-${task.taskId}-${attempt}` : undefined);
    return { ok: record.state === 'succeeded', record, values, outputs, lastLines };
  }

  /** Resolves once every scratch directory handed back has been emptied. */
  settle(): Promise<void> {
    return this.scratch.settle();
  }

  private cacheKeyOf(task: TaskNode, prepared: PreparedTask, command: string): string {
    const spec = task.node.spec;
    const memo = spec.deps ? task.node.path : '';
    let code = this.codeKeys.get(memo);
    if (code === undefined) {
      code = codeKey(this.o.code.files, { flowFile: this.o.flowFile, deps: spec.deps });
      this.codeKeys.set(memo, code);
    }
    return taskCacheKey({
      flow: this.o.flow, step: task.node.path, command, env: this.o.masker.value(prepared.env), shell: spec.shell,
      image: spec.image, item: task.item, hasItem: task.hasItem, codeKey: code, staging: prepared.staging, outputs: spec.outputs,
    });
  }

  /** Clone from the origin run (resume) or a cache hit: no process, same outputs and values. */
  private async tryReuse(task: TaskNode, cacheKey: string, command: string, started: number): Promise<boolean> {
    const spec = task.node.spec;
    const step = task.node.path;
    const origin = this.o.origin;
    let found: TaskRecord | undefined;
    let how: 'resume' | 'cache' = 'resume';
    if (origin && !origin.rerun.has(step)) found = await this.reuse.fromOrigin(origin.runId, step, task.taskId);
    const rerunRequested = origin?.rerun.has(step) ?? false;
    if (!found && this.o.cache && spec.cache && !rerunRequested) {
      found = await this.reuse.fromCache(cacheKey);
      how = 'cache';
    }
    if (!found) return false;
    task.state = 'cached';
    task.values = found.values;
    task.outputs = found.outputs;
    // Point at the task that really ran, also through chains of resumes and cache hits.
    const source = found.cachedFrom ?? { runId: found.runId, step: found.step, taskId: found.taskId };
    const now = new Date().toISOString();
    await this.writeTask(task, {
      startedAt: new Date(started).toISOString(), finishedAt: now, durationMs: Date.now() - started, attempts: 0, command, cacheKey,
      cachedFrom: source, reuse: how,
    });
    this.o.emit({
      type: 'task-finished', step, taskId: task.taskId, state: 'cached', durationMs: Date.now() - started,
      cachedFrom: `${source.runId}/${source.step}/${source.taskId}`,
    });
    return true;
  }

  private async readValues(file: string): Promise<Record<string, unknown>> {
    const { values, problems } = await readValuesFile(file);
    if (problems.length > 0) throw new Error(`bad FLOW_VALUES file: ${problems.join('; ')}`);
    return this.o.masker.value(values);
  }

  private async writeTask(
    task: TaskNode,
    extra: Pick<TaskRecord, 'startedAt' | 'finishedAt' | 'durationMs' | 'attempts'> & Partial<Pick<TaskRecord, 'command' | 'cacheKey' | 'cachedFrom' | 'reuse'>>,
  ): Promise<void> {
    const rec: TaskRecord = {
      formatVersion: 1, runId: this.o.runId, step: task.node.path, taskId: task.taskId, state: task.state,
      item: task.hasItem ? this.o.masker.value(task.item) : undefined, itemIndices: task.indices,
      outputs: task.outputs, values: task.values, reason: task.reason, caught: task.caught || undefined, ...extra,
    };
    await this.o.store.backend.putText(keys.task(this.o.flow, this.o.runId, task.node.path, task.taskId), JSON.stringify(rec, null, 2));
  }
}
