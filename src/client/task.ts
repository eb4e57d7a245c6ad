/**
 * A task of a step: its record (state, item, values, outputs), attempts, logs and artifacts.
 * A task whose task.json cannot be read is `damaged`: `step.tasks()` yields it (with `error`),
 * `task.load()` of that task throws the damage.
 */
import { FlowctlError } from '../errors.js';
import type { CacheStatus } from '../graph/cache-status.js';
import { isDamagedRecord, type DamagedRecordError } from '../store/record-check.js';
import type { OutputEntry, TaskRecord, TaskState } from '../store/records.js';
import { Artifact } from './artifact.js';
import { Attempt } from './attempt.js';
import { nearby, notFound } from './errors.js';
import { followLogs, type FollowOptions, type LogChunk } from './follow.js';
import type { Run } from './run.js';
import type { Step } from './step.js';
import type { LogStream, TaskJson, TaskStatus } from './types.js';

export class Task {
  private rec?: TaskRecord;
  private loaded = false;
  private attemptNumbers?: number[];
  private damaged?: DamagedRecordError;

  /** Use `step.task(id)` or `step.tasks()`. */
  constructor(readonly step: Step, readonly id: string) {}

  get run(): Run { return this.step.run; }
  /** `train/20261126T132857.867Z-vx1m5x/fit/0` */
  get pathspec(): string { return `${this.step.pathspec}/${this.id}`; }

  /**
   * Read task.json (tasks from `step.tasks()` come loaded). A task that has started but not
   * finished has no task.json yet: it loads as `running`.
   * @throws FlowctlError STORE_CORRUPT (with `key`) when task.json cannot be read.
   * @example const t = await run.step('fit').task(2).load(); console.log(t.state, t.values);
   */
  async load(): Promise<this> {
    await this.read();
    if (this.damaged) throw this.damaged;
    return this;
  }

  /** @internal load() that records a damaged task.json (state `damaged`) instead of throwing: for listings. */
  async read(): Promise<this> {
    if (this.loaded) return this;
    const store = await this.run.ctx.store();
    const { flow, id: runId } = this.run;
    try {
      this.rec = await store.readTask(flow, runId, this.step.name, this.id);
    } catch (e) {
      if (!isDamagedRecord(e)) throw e;
      this.damaged = e;
    }
    if (!this.rec) {
      this.attemptNumbers = await store.listAttempts(flow, runId, this.step.name, this.id);
      if (!this.damaged && this.attemptNumbers.length === 0 && !(await this.step.taskIds()).includes(this.id)) await this.step.requireTask(this.id);
    }
    this.loaded = true;
    return this;
  }

  /** task.json as stored; undefined while the task runs (and when it is damaged). */
  get record(): TaskRecord | undefined { return this.need().rec; }
  /**
   * The recorded state; `running` before task.json exists; `damaged` when it cannot be read (see `damage`);
   * `interrupted` also for records of older runs, which said `failed` with reason `interrupted`.
   */
  get state(): TaskStatus {
    const { rec, damaged } = this.need();
    if (damaged) return 'damaged';
    if (!rec) return 'running';
    return rec.state === 'failed' && rec.reason === 'interrupted' ? 'interrupted' : rec.state;
  }
  /** Set when task.json cannot be read: `key` names the file, `reason` what is wrong. */
  get damage(): DamagedRecordError | undefined { return this.need().damaged; }
  /** Not running or pending any more. */
  get finished(): boolean { return this.state !== 'running' && this.state !== 'pending'; }
  /** Succeeded, or reused from an earlier run (cached). */
  get successful(): boolean { return this.state === 'succeeded' || this.state === 'cached'; }
  /** The foreach item (innermost); undefined when the step is not fanned out. */
  get item(): unknown { return this.need().rec?.item; }
  get itemIndices(): number[] { return this.need().rec?.itemIndices ?? []; }
  /** What the task wrote to $FLOW_VALUES. @example (await run.step('split').task(0).load()).values.folds */
  get values(): Record<string, unknown> { return this.need().rec?.values ?? {}; }
  /** Declared outputs as stored (a directory is one entry; see `artifact(path).files()`). */
  get outputs(): OutputEntry[] { return this.need().rec?.outputs ?? []; }
  get attemptCount(): number { return this.need().rec?.attempts ?? this.attemptNumbers?.length ?? 0; }
  get durationMs(): number | undefined { return this.need().rec?.durationMs; }
  get cachedFrom(): TaskRecord['cachedFrom'] { return this.need().rec?.cachedFrom; }
  /** Why it failed or was skipped. */
  get reason(): string | undefined { return this.need().rec?.reason; }
  /** A failure that `catch: true` let through. */
  get caught(): boolean { return this.need().rec?.caught ?? false; }

  /** Every attempt, oldest first (retries each have their own logs). */
  async attempts(): Promise<Attempt[]> {
    const store = await this.run.ctx.store();
    const numbers = await store.listAttempts(this.run.flow, this.run.id, this.step.name, this.id);
    return Promise.all(numbers.map((n) => Attempt.load(this, n)));
  }

  /** One attempt (default: the latest). @example await task.attempt(1).then((a) => a.logs('stderr')) */
  async attempt(n?: number): Promise<Attempt> {
    await this.read(); // a damaged task.json does not hide its attempts' logs
    const store = await this.run.ctx.store();
    const numbers = await store.listAttempts(this.run.flow, this.run.id, this.step.name, this.id);
    const wanted = n ?? numbers.at(-1);
    if (wanted === undefined || !numbers.includes(wanted)) {
      if (numbers.length > 0) throw notFound(`Task ${this.pathspec} has no attempt ${wanted}${nearby('attempts', numbers.map(String), String(wanted), { suggest: false })}`);
      const from = this.cachedFrom && `${this.run.flow}/${this.cachedFrom.runId}/${this.cachedFrom.step}/${this.cachedFrom.taskId}`;
      const why = from ? ` (it was ${this.state} from ${from})` : this.finished ? ` (it was ${this.state}${this.reason ? `: ${this.reason}` : ''})` : ' yet';
      throw notFound(`Task ${this.pathspec} has no attempts${why}`, from ? `Its logs are those of ${from}.` : undefined);
    }
    return Attempt.load(this, wanted);
  }

  /**
   * A log of an attempt (default: the latest attempt's stdout). A cached or resumed task has no
   * attempts of its own: its logs are those of the task that ran (`producingTask`), as `flowctl logs` prints.
   * @example await task.logs({ attempt: 1, stream: 'stderr' })
   */
  async logs(opts: { attempt?: number; stream?: LogStream } = {}): Promise<string> {
    await this.read(); // a damaged task.json does not hide its attempts' logs
    // Loaded on demand: producer.js reads runs, which read steps, which make tasks.
    const ran = this.cachedFrom && this.attemptCount === 0 ? await (await import('./producer.js')).producingTask(this) : this;
    return (await ran.attempt(opts.attempt)).logs(opts.stream ?? 'stdout');
  }

  /**
   * Stream a log as it is written, through every retry, until the task finishes.
   * @example for await (const c of task.followLogs()) if (c.type === 'data') process.stdout.write(c.data);
   */
  followLogs(opts: FollowOptions = {}): AsyncGenerator<LogChunk> {
    return followLogs(this, opts);
  }

  /**
   * Whether the task was reused, and if not, why: what changed since the closest earlier task of
   * the same step (code files, params with old and new values, inputs, command, env, image, …), or
   * that caching was off, or that the earlier task failed or lost its outputs. What
   * `flowctl show RUN/STEP/TASK` prints on its `cache:` line.
   * @example const s = await task.cacheStatus(); if (s.reason === 'changed') for (const c of s.changes) console.log(c.text);
   */
  async cacheStatus(): Promise<CacheStatus> {
    // Loaded on demand: it reads other runs and code manifests, and compares keys (src/graph).
    return (await import('./task-cache-status.js')).taskCacheStatus(this);
  }

  /** A declared output, or a file or directory inside a directory output. @example await task.artifact('metrics.json').json() */
  artifact(path: string): Artifact {
    return new Artifact(this, path);
  }

  /** The declared outputs. */
  async artifacts(): Promise<Artifact[]> {
    await this.load();
    return this.outputs.map((o) => new Artifact(this, o.path));
  }

  toJSON(): TaskJson {
    const r = this.need().rec;
    return {
      pathspec: this.pathspec, flow: this.run.flow, runId: this.run.id, step: this.step.name, taskId: this.id, state: this.state,
      item: r?.item ?? null, itemIndices: this.itemIndices, attempts: this.attemptCount, startedAt: r?.startedAt ?? null,
      finishedAt: r?.finishedAt ?? null, durationMs: r?.durationMs ?? null, cachedFrom: r?.cachedFrom ?? null, reuse: r?.reuse ?? null, reason: r?.reason ?? null,
      caught: this.caught, command: r?.command ?? null, cacheKey: r?.cacheKey ?? null, values: this.values,
      outputs: this.outputs.map((o) => ({ path: o.path, type: o.type, size: o.size, sha256: o.hash })), error: this.damaged?.message ?? null,
      ...(r?.jobId ? { jobId: r.jobId } : {}),
    };
  }

  private need(): this {
    if (!this.loaded) {
      throw new FlowctlError('NOT_LOADED', `Task ${this.pathspec} is not loaded yet`, {
        hint: 'await task.load() before reading its properties (tasks from step.tasks() come loaded).',
      });
    }
    return this;
  }
}
