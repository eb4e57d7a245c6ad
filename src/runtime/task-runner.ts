/**
 * Runs one task for the engine: reuse (a cache hit, or the same task of a resumed run), else
 * every attempt through the step's executor with retry and backoff, announcing each as events;
 * then the task record. It reads the engine's task node and returns an outcome; the engine
 * applies it. task.json is written last: it is the commit point that makes a task's outputs
 * part of the run.
 */
import type { ExecutorKind, Executor } from '../executors/port.js';
import { executorKindOf, runsOnThisMachine } from '../executors/port.js';
import type { KeyHasher, TaskIdentity } from '../graph/cache-key.js';
import type { TaskNode } from '../graph/graph-state.js';
import type { PreparedTask } from '../graph/plan-tasks.js';
import type { TaskStepSpec } from '../spec/types.js';
import type { AttemptRecord, AttemptSpec, BatchPlacement, TaskRecord } from '../store/records.js';
import type { CodeSnapshot, Store } from '../store/store.js';
import type { Masker } from '../task/mask.js';
import { buildTaskEnv } from '../task/task-env.js';
import { describeWriteError } from '../task/write-error.js';
import { retryDelayMs, sleep } from './backoff.js';
import type { RunEventInput } from './event-bus.js';
import type { TaskOutcome, TaskRunner } from './engine.js';
import { TaskReuse } from './reuse.js';
import { TaskIdentities, visibleParams } from './task-identity.js';

export interface StoreTaskRunnerOptions {
  store: Store;
  /** The executor of each kind a step can ask for. */
  executors: { get(kind: ExecutorKind): Executor };
  flow: string;
  runId: string;
  code: Pick<CodeSnapshot, 'hash' | 'files'>;
  params: Record<string, unknown>;
  masker: Masker;
  emit(e: RunEventInput): void;
  /** Flow file path relative to the project root (left out of code keys). */
  flowFile: string;
  /** Look up earlier results by cache key (`--no-cache` turns it off). */
  cache: boolean;
  /** `resume`: clone successful tasks of this run, except in the steps to re-run. */
  origin?: { runId: string; rerun: Set<string> };
  /** Digests cache-key parts (a keyed hash for values holding a secret). */
  hasher: KeyHasher;
  /** The job queue of batch steps that name none (`--batch-queue`, FLOWCTL_BATCH_QUEUE). */
  batchQueue?: string;
}

/** The TaskRunner of real runs: records in the store, attempts through executors. */
export class StoreTaskRunner implements TaskRunner {
  private readonly reuse: TaskReuse;
  private readonly identities: TaskIdentities;

  constructor(private readonly o: StoreTaskRunnerOptions) {
    this.reuse = new TaskReuse(o.store, o.flow, { cache: o.cache, origin: o.origin });
    this.identities = new TaskIdentities(o);
  }

  async record(task: Readonly<TaskNode>): Promise<void> {
    const now = new Date().toISOString();
    await this.writeTask(task, { state: task.state, values: task.values, outputs: task.outputs, reason: task.reason, caught: task.caught }, {
      startedAt: now, finishedAt: now, durationMs: 0, attempts: 0,
    });
    this.o.emit({ type: 'task-finished', step: task.node.path, taskId: task.taskId, state: task.state, durationMs: 0, reason: task.reason, caught: task.caught });
  }

  async run(task: Readonly<TaskNode>, prepared: PreparedTask, signal: AbortSignal, killSignal: AbortSignal, runFailed?: AbortSignal): Promise<TaskOutcome> {
    const spec = task.node.spec;
    const step = task.node.path;
    const started = Date.now();
    const startedAt = new Date(started).toISOString();
    const command = this.o.masker.text(prepared.command);
    const executor = this.o.executors.get(executorKindOf(spec));
    const image = await this.imageOf(spec, executor);
    if ('problem' in image) return this.failBeforeStart(task, image.problem, command, started);
    const identity = this.identities.of(task, prepared, image.digest);
    const cacheSkipped = this.reuse.skipped(step, spec.cache);
    const reused = await this.tryReuse(task, identity, command, started);
    if (reused) return reused;
    this.o.emit({
      type: 'task-started', step, taskId: task.taskId, item: task.hasItem ? task.item : undefined,
      ...(spec.image !== undefined ? { image: spec.image } : {}), ...(image.digest !== undefined ? { imageDigest: image.digest } : {}),
    });
    const kind = executorKindOf(spec);
    // Where logs reach the store only when an attempt ends, nothing else of a running task
    // exists until then, so `show` and `logs --follow` need this record; a local store has the
    // live log files and events.ndjson, and the per-task hot path skips the extra write. A
    // remote task's record waits for its job id (the same one write).
    const running = (attempts: number, jobId?: string) =>
      this.writeTask(task, { state: 'running', values: {}, outputs: [] }, { startedAt, attempts, command, ...keyFields(identity), ...(jobId ? { jobId } : {}) });
    if (!this.o.store.logsAreLive && runsOnThisMachine(kind)) await running(0);
    const { attemptSpec, secrets, secretSources } = this.attemptSpecOf(task, prepared, kind, image.digest);
    /** The running record written at a submission: awaited before the final record, which must land last. */
    let runningWrite: Promise<void> = Promise.resolve();
    const max = spec.retry.maxAttempts;
    let last: AttemptRecord | undefined;
    let lastFailure: string | undefined;
    let attempt = 0;
    while (attempt < max && !signal.aborted) {
      attempt++;
      this.o.emit({ type: 'attempt-started', step, taskId: task.taskId, attempt, maxAttempts: max, lastFailure });
      const n = attempt;
      last = await executor.run({ ...attemptSpec, attempt, env: { ...attemptSpec.env, FLOW_ATTEMPT: String(attempt) } }, {
        secrets, signal, killSignal, runFailed, secretSources,
        onLog: (stream, line) => this.o.emit({ type: 'log', step, taskId: task.taskId, attempt: n, stream, line }),
        onStatus: (st) => {
          this.o.emit({ type: 'attempt-status', step, taskId: task.taskId, attempt: n, status: st.status, jobId: st.jobId, reason: st.reason });
          // Best effort: the record of a running task is for views; the task's outcome does not depend on it.
          if (st.status === 'submitted' && !this.o.store.logsAreLive) {
            const prev = runningWrite;
            runningWrite = prev.then(() => running(n - 1, st.jobId)).catch(() => {});
          }
        },
        fanout: attempt === 1 && task.index !== undefined ? { key: fanoutKey(task), size: task.node.tasks.length } : undefined,
      });
      const retrying = last.state !== 'succeeded' && !last.final && attempt < max && !signal.aborted && last.state !== 'interrupted';
      const delay = retrying ? retryDelayMs(spec.retry, attempt + 1) : undefined;
      this.o.emit({
        type: 'attempt-finished', step, taskId: task.taskId, attempt, state: attemptEnd(last.state), exitCode: last.exitCode,
        durationMs: last.durationMs ?? 0, reason: last.reason, willRetryInMs: delay,
      });
      if (last.state === 'succeeded' || !retrying) break;
      lastFailure = last.reason;
      if (!(await sleep(delay ?? 0, signal))) break;
    }
    const finished = Date.now();
    let outcome: TaskOutcome = last?.state === 'succeeded'
      ? { state: 'succeeded', values: last.values ?? {}, outputs: last.outputs ?? [] }
      : {
        // A remote attempt the failing run ended before it started is not a failure of its own.
        state: signal.aborted || (last?.state === 'interrupted' && runFailed?.aborted) ? 'interrupted' : 'failed', values: {}, outputs: [],
        reason: signal.aborted ? 'interrupted' : last?.reason ?? 'not started',
        caught: spec.catch && !signal.aborted,
      };
    await runningWrite;
    // The cache entry may land before task.json: a lookup trusts an entry only once the task
    // record it names says succeeded, so writing both at once is safe.
    try {
      await Promise.all([
        this.writeTask(task, outcome, {
          startedAt, finishedAt: new Date(finished).toISOString(), durationMs: finished - started, attempts: attempt, command, ...keyFields(identity), cacheSkipped,
          ...(last?.job ? { jobId: last.job.id } : {}),
        }),
        outcome.state === 'succeeded' && spec.cache ? this.reuse.remember(identity.cacheKey, this.o.runId, step, task.taskId) : undefined,
      ]);
    } catch (e) {
      // Without task.json the task is not part of the run (resume runs it again): it failed, alone.
      outcome = {
        state: 'failed', values: {}, outputs: [], reason: `could not record the task: ${describeWriteError(e)}`, caught: spec.catch && !signal.aborted,
      };
    }
    this.o.emit({
      type: 'task-finished', step, taskId: task.taskId, state: outcome.state, durationMs: finished - started,
      reason: outcome.reason, caught: outcome.caught, lastLines: outcome.state === 'failed' || outcome.state === 'interrupted' ? last?.lastLines : undefined,
    });
    return outcome;
  }

  /**
   * The attempt as plain JSON. Every environment value that holds a secret (a secret param's
   * FLOW_PARAM_*, FLOW_SECRET_<n>, an env: value or an item that carries one) moves out of the
   * spec into `secrets`, so the spec can be stored and sent anywhere.
   */
  private attemptSpecOf(task: Readonly<TaskNode>, prepared: PreparedTask, kind: ExecutorKind, imageDigest?: string): {
    attemptSpec: AttemptSpec; secrets: Record<string, string>; secretSources?: Record<string, string>;
  } {
    const spec = task.node.spec;
    const all = buildTaskEnv({
      runId: this.o.runId, flow: this.o.flow, step: task.node.path, taskId: task.taskId, attempt: 1, hasItem: task.hasItem,
      item: task.item, itemIndex: task.indices.at(-1), params: visibleParams(this.o.params, spec.params), stepEnv: prepared.env,
    });
    const env: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const [k, v] of Object.entries(all)) {
      if (this.o.masker.active && this.o.masker.contains(v)) secrets[k] = v;
      else env[k] = v;
    }
    const remote = kind === 'batch';
    return {
      secrets,
      secretSources: remote ? this.secretSources(secrets) : undefined,
      attemptSpec: {
        formatVersion: 1, flow: this.o.flow, runId: this.o.runId, step: task.node.path, taskId: task.taskId, attempt: 1,
        command: prepared.command, shell: spec.shell, env, secretEnv: Object.keys(secrets), timeoutMs: spec.timeoutMs,
        outputs: spec.outputs, codeHash: this.o.code.hash, inputs: prepared.staging.map((s) => ({ path: s.rel, entry: s.entry })),
        image: spec.image, resources: spec.resources,
        ...(spec.image !== undefined ? { pull: spec.pull } : {}),
        ...(imageDigest !== undefined ? { imageDigest } : {}),
        ...(spec.network !== undefined ? { network: spec.network } : {}),
        ...(remote ? { batch: batchPlacement(spec, this.o.batchQueue) } : {}),
      },
    };
  }

  /**
   * The image's id when the step's executor resolves images here (once per run per image):
   * the cache key covers what runs, not a tag that may move. An image that cannot be had
   * (absent with pull: never, a failed pull, a bad name) fails the task before any attempt.
   */
  private async imageOf(spec: TaskStepSpec, executor: Executor): Promise<{ digest?: string } | { problem: string }> {
    if (spec.image === undefined || !executor.resolveImage) return {};
    try {
      return { digest: await executor.resolveImage(spec.image, spec.pull) };
    } catch (e) {
      return { problem: (e as Error).message };
    }
  }

  /** A task that could not start at all (no attempt): recorded and announced as failed. */
  private async failBeforeStart(task: Readonly<TaskNode>, reason: string, command: string, started: number): Promise<TaskOutcome> {
    const spec = task.node.spec;
    const outcome: TaskOutcome = { state: 'failed', values: {}, outputs: [], reason, caught: spec.catch };
    const finished = Date.now();
    await this.writeTask(task, outcome, {
      startedAt: new Date(started).toISOString(), finishedAt: new Date(finished).toISOString(), durationMs: finished - started, attempts: 0, command,
    });
    this.o.emit({ type: 'task-finished', step: task.node.path, taskId: task.taskId, state: 'failed', durationMs: finished - started, reason, caught: spec.catch });
    return outcome;
  }

  /** Which secret variables carry a secret param's whole value (a remote job gets those from its secret store). */
  private secretSources(secrets: Record<string, string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(secrets)) {
      const param = Object.entries(this.o.params).find(([, v]) => (typeof v === 'string' ? v : JSON.stringify(v)) === value)?.[0];
      if (param !== undefined) out[name] = param;
    }
    return out;
  }

  /** Clone from the origin run (resume) or a cache hit: no process, same outputs and values. */
  private async tryReuse(task: Readonly<TaskNode>, identity: TaskIdentity, command: string, started: number): Promise<TaskOutcome | undefined> {
    const step = task.node.path;
    const reused = await this.reuse.find(step, task.taskId, task.node.spec.cache, identity);
    if (!reused) return undefined;
    const { record: found, how } = reused;
    const outcome: TaskOutcome = { state: 'cached', values: found.values, outputs: found.outputs };
    // Point at the task that really ran, also through chains of resumes and cache hits.
    const source = found.cachedFrom ?? { runId: found.runId, step: found.step, taskId: found.taskId };
    const now = new Date().toISOString();
    await this.writeTask(task, outcome, {
      startedAt: new Date(started).toISOString(), finishedAt: now, durationMs: Date.now() - started, attempts: 0, command,
      ...keyFields(identity), cachedFrom: source, reuse: how,
    });
    this.o.emit({
      type: 'task-finished', step, taskId: task.taskId, state: 'cached', durationMs: Date.now() - started,
      cachedFrom: `${source.runId}/${source.step}/${source.taskId}`,
    });
    return outcome;
  }

  private async writeTask(
    task: Readonly<TaskNode>,
    result: Pick<TaskRecord, 'state' | 'values' | 'outputs'> & Partial<Pick<TaskRecord, 'reason' | 'caught'>>,
    extra: Pick<TaskRecord, 'startedAt' | 'attempts'> & Partial<Pick<TaskRecord, 'finishedAt' | 'durationMs' | 'command' | 'cacheKey' | 'cloneKey' | 'keyParts' | 'cachedFrom' | 'reuse' | 'jobId' | 'cacheSkipped'>>,
  ): Promise<void> {
    const { masker } = this.o;
    await this.o.store.writeTask(this.o.flow, {
      formatVersion: 1, runId: this.o.runId, step: task.node.path, taskId: task.taskId, state: result.state,
      item: task.hasItem ? masker.value(task.item) : undefined, itemIndices: task.indices,
      outputs: result.outputs, values: result.values, reason: result.reason && masker.message(result.reason),
      caught: result.caught || undefined, ...extra,
    });
  }
}

/** The fan-out a task belongs to: its step's node (the step within one instance of its enclosing groups). */
function fanoutKey(task: Readonly<TaskNode>): string {
  return `${task.node.path}@${task.node.scope.indices.join('.')}`;
}

function batchPlacement(spec: TaskStepSpec, defaultQueue: string | undefined): BatchPlacement {
  const b = spec.batch;
  return {
    // Validation made sure there is one.
    queue: b?.queue ?? defaultQueue ?? '',
    ...(b?.jobRole ? { jobRole: b.jobRole } : {}),
    ...(b?.executionRole ? { executionRole: b.executionRole } : {}),
    platform: b?.platform ?? 'EC2',
    ...(b?.assignPublicIp ? { assignPublicIp: true } : {}),
    secrets: b?.secrets ?? {},
  };
}

function keyFields(id: TaskIdentity): Pick<TaskRecord, 'cacheKey' | 'cloneKey' | 'keyParts'> {
  return { cacheKey: id.cacheKey, cloneKey: id.cloneKey, keyParts: id.parts };
}

function attemptEnd(state: AttemptRecord['state']): 'succeeded' | 'failed' | 'timeout' | 'interrupted' {
  return state === 'running' ? 'failed' : state;
}
