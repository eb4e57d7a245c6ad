/**
 * The `batch` executor: attempts run as AWS Batch jobs (DESIGN.md §5). run() does not submit at
 * once: attempts of the same step arrive together (a fan-out) and are gathered into one
 * submission (gather.ts), one array job whose children run one attempt each. Each submission
 * writes its attempt specs to the store, registers or reuses its job definition and submits;
 * one poller follows every job (poller.ts); the job's `flowctl task` runs the attempt through
 * runAttempt and writes its record, which run() then reads and returns. Retries are
 * flowctl's own (the runtime calls run() again with the next attempt number): Batch's
 * retryStrategy is one try.
 *
 * Jobs are terminated (TerminateJob, which also ends running jobs, unlike CancelJob) on
 * Ctrl-C, when an attempt outlives its timeout, when the run fails (those not started yet:
 * as the local scheduler starts nothing more) and when the run ends with jobs still going.
 */
import type { BatchClient, JobDetail, RegisterJobDefinitionCommandInput, Secret } from '@aws-sdk/client-batch';
import type { AttemptRecord, AttemptSpec } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import type { Executor, ExecutorContext } from '../port.js';
import { BatchCalls } from './calls.js';
import { createBatchClient } from './client.js';
import { Gatherer } from './gather.js';
import { jobDefinitionInput, JobDefinitions } from './job-definition.js';
import { attemptStatusOf, batchReason, batchTime, isFinal, isWaiting, jobInfoOf } from './job-state.js';
import { LogRelay } from './log-relay.js';
import { JobPoller, type JobUpdate } from './poller.js';
import { describeError } from './retry.js';
import { batchSettings, type BatchSettings } from './settings.js';
import { MAX_ARRAY_SIZE, submitJobInput } from './submission.js';
import { runnableWarning } from './warnings.js';

export interface BatchExecutorOptions {
  store: Store;
  /** Where settings, the endpoint and store settings to forward come from. */
  env: NodeJS.ProcessEnv;
  /** Warnings for the user (a job RUNNABLE for minutes). */
  warn(message: string): void;
  /** A client made elsewhere (tests); default: from `env`. */
  client?: BatchClient;
  /** Overrides of the settings read from `env`. */
  settings?: Partial<BatchSettings>;
}

type Cancel = 'interrupt' | 'run-failed' | 'timeout';

/** One attempt on its way through Batch. */
interface Pending {
  spec: AttemptSpec;
  ctx: ExecutorContext;
  groupKey: string;
  definition?: RegisterJobDefinitionCommandInput;
  resolve(r: AttemptRecord): void;
  reject(e: unknown): void;
  unit?: Unit;
  jobId?: string;
  status?: string;
  startedAt?: number;
  cancel?: Cancel;
  done?: boolean;
  unwatch?: () => void;
  relay?: { finish(): Promise<void>; stop(): void };
  timers: NodeJS.Timeout[];
}

/** One submitted job: a plain job, or an array job and its children. */
interface Unit {
  id: string;
  items: Pending[];
  array: boolean;
  queue: string;
  submittedAt: number;
  runnableSince?: number;
  started?: boolean;
  warned?: boolean;
  /** TerminateJob was sent for the whole job. */
  terminated?: boolean;
}

export class BatchExecutor implements Executor {
  readonly kind = 'batch' as const;
  private readonly s: BatchSettings;
  private readonly calls: BatchCalls;
  private readonly definitions: JobDefinitions;
  private readonly poller: JobPoller;
  private readonly relay: LogRelay;
  private readonly gatherer: Gatherer<Pending>;
  private readonly active = new Set<Pending>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private terminateQueue: Array<{ item: Pending; reason: string }> = [];

  constructor(private readonly o: BatchExecutorOptions & { client: BatchClient }) {
    this.s = { ...batchSettings(o.env), ...o.settings };
    this.calls = new BatchCalls(o.client, this.s.retry);
    this.definitions = new JobDefinitions(this.calls);
    this.poller = new JobPoller(this.calls, { pollMs: this.s.pollMs, missingMs: this.s.missingMs });
    this.relay = new LogRelay(o.store, this.s.relay);
    this.gatherer = new Gatherer((_key, items) => this.track(this.submit(items)), this.s.gather);
  }

  /** Requests made so far, by operation, and the poller's rounds (for the benchmark and tests). */
  get stats(): { calls: Record<string, number>; rounds: number; maxCallsPerRound: number } {
    return { calls: { ...this.calls.counts }, ...this.poller.stats };
  }

  run(spec: AttemptSpec, ctx: ExecutorContext): Promise<AttemptRecord> {
    return new Promise<AttemptRecord>((resolve, reject) => {
      const item: Pending = { spec, ctx, groupKey: '', resolve, reject, timers: [] };
      this.active.add(item);
      const placement = spec.batch;
      if (!placement?.queue || !spec.image) {
        return this.fail(item, `cannot run on AWS Batch: ${!spec.image ? 'the step has no image' : 'no job queue is set'}`);
      }
      const secrets = jobSecrets(spec, ctx);
      if (typeof secrets === 'string') return this.fail(item, secrets);
      item.definition = jobDefinitionInput(spec, placement, secrets);
      item.groupKey = [spec.flow, spec.runId, spec.step, item.definition.jobDefinitionName, placement.queue, spec.timeoutMs ?? ''].join('|');
      if (ctx.signal?.aborted) return this.cancel(item, 'interrupt');
      ctx.signal?.addEventListener('abort', () => this.cancel(item, 'interrupt'), { once: true });
      ctx.killSignal?.addEventListener('abort', () => this.abandon(item, 'interrupted'), { once: true });
      ctx.runFailed?.addEventListener('abort', () => this.cancel(item, 'run-failed'), { once: true });
      this.gatherer.add(item.groupKey, item, ctx.fanout);
    });
  }

  /**
   * The run is over: anything still going (only when the run stopped on an error) is ended —
   * jobs terminated, attempts not submitted never will be — and polling stops.
   */
  async settle(): Promise<void> {
    for (const item of [...this.active]) this.cancel(item, 'interrupt');
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    await this.drainTerminations();
    for (const item of [...this.active]) this.abandon(item, 'interrupted', 'the run ended before its AWS Batch job did (job terminated)');
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    this.poller.stop();
  }

  // ---- submission ----

  private async submit(items: Pending[]): Promise<void> {
    const live = () => items.filter((i) => !i.done && !i.cancel);
    for (const i of items) if (i.cancel && !i.done) this.finishUnsubmitted(i);
    const first = live()[0];
    if (!first) return;
    let definition: string;
    try {
      definition = await this.definitions.ensure(first.definition!);
    } catch (e) {
      for (const i of live()) this.fail(i, `could not register the AWS Batch job definition: ${describeError(e)}`);
      return;
    }
    // Child i runs item i whatever order the tasks arrived in (each after its own cache lookup).
    const all = live().sort((a, b) => byTask.compare(a.spec.taskId, b.spec.taskId) || a.spec.attempt - b.spec.attempt);
    for (let at = 0; at < all.length; at += MAX_ARRAY_SIZE) await this.submitChunk(all.slice(at, at + MAX_ARRAY_SIZE), definition);
  }

  private async submitChunk(chunk: Pending[], definition: string): Promise<void> {
    const first = chunk[0]!.spec;
    const queue = first.batch!.queue;
    let arrayId: string | undefined;
    try {
      await mapLimit(chunk, 16, (i) => this.o.store.writeAttemptSpec(i.spec));
      if (chunk.length > 1) {
        arrayId = `${first.step}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
        await this.o.store.writeJobArray(first.flow, first.runId, arrayId, {
          formatVersion: 1, attempts: chunk.map((i) => ({ step: i.spec.step, taskId: i.spec.taskId, attempt: i.spec.attempt })),
        });
      }
    } catch (e) {
      for (const i of chunk) if (!i.done) this.fail(i, `could not write the attempt spec to the store: ${describeError(e)}`);
      return;
    }
    // Interrupted while the specs were written: nothing of this chunk runs.
    if (chunk.every((i) => i.cancel || i.done)) {
      for (const i of chunk) if (!i.done) this.finishUnsubmitted(i);
      return;
    }
    let jobId: string;
    try {
      jobId = await this.calls.submit(submitJobInput({
        specs: chunk.map((i) => i.spec), definition, queue, datastore: this.o.store.location, arrayId, env: this.o.env,
      }));
    } catch (e) {
      for (const i of chunk) if (!i.done) this.fail(i, `could not submit the AWS Batch job: ${describeError(e)}`);
      return;
    }
    const unit: Unit = { id: jobId, items: chunk, array: chunk.length > 1, queue, submittedAt: Date.now() };
    chunk.forEach((item, index) => {
      item.unit = unit;
      item.jobId = unit.array ? `${jobId}:${index}` : jobId;
      if (item.done) return;
      item.status = 'SUBMITTED';
      safely(() => item.ctx.onStatus?.({ status: 'submitted', jobId: item.jobId! }));
      item.unwatch = this.poller.watch(item.jobId, (u) => safely(() => this.update(item, u)));
      if (item.cancel) this.requestTerminate(item, cancelMessage(item.cancel));
    });
  }

  // ---- following ----

  private update(item: Pending, u: JobUpdate): void {
    if (item.done) return;
    if ('error' in u) {
      this.requestTerminate(item, 'flowctl: could not follow the job');
      return this.complete(item, undefined, `could not follow AWS Batch job ${item.jobId}: ${describeError(u.error)}`);
    }
    if ('missing' in u) return this.complete(item, undefined, `AWS Batch no longer reports job ${item.jobId}`);
    const job = u.job;
    const status = job.status;
    if (status !== item.status) {
      item.status = status;
      const st = attemptStatusOf(status);
      if (st) safely(() => item.ctx.onStatus?.({ status: st, jobId: item.jobId!, ...(status === 'RUNNABLE' && job.statusReason ? { reason: job.statusReason } : {}) }));
      if (status === 'RUNNING' || status === 'STARTING') this.started(item, job);
    }
    this.watchQueue(item, status);
    if (isFinal(status)) this.complete(item, job);
  }

  private started(item: Pending, job: JobDetail): void {
    if (item.unit) item.unit.started = true;
    if (item.startedAt !== undefined) return;
    item.startedAt = batchTime(job.startedAt) ?? Date.now();
    if (item.ctx.onLog) item.relay = this.relay.follow(item.spec, item.ctx.onLog);
    // The job enforces the attempt's timeout itself; this ends one that outlives it anyway (hung staging, a lost host).
    const limit = item.spec.timeoutMs;
    if (limit !== undefined) {
      const at = item.startedAt + limit + this.s.timeoutGraceMs;
      const t = setTimeout(() => this.cancel(item, 'timeout'), Math.max(0, at - Date.now()));
      t.unref();
      item.timers.push(t);
    }
  }

  /** A job queued (RUNNABLE) for minutes gets one warning per submission. */
  private watchQueue(item: Pending, status: string | undefined): void {
    const unit = item.unit;
    if (!unit || unit.started || unit.warned) return;
    if (status === 'RUNNABLE') unit.runnableSince ??= Date.now();
    if (unit.runnableSince !== undefined && Date.now() - unit.runnableSince >= this.s.runnableWarnMs) {
      unit.warned = true;
      this.o.warn(runnableWarning(item.spec, unit, Date.now() - unit.runnableSince));
    }
  }

  // ---- ending ----

  private cancel(item: Pending, why: Cancel): void {
    if (item.done) return;
    // A failed run lets attempts already running finish, as local ones do.
    if (why === 'run-failed' && (item.startedAt !== undefined || (item.status !== undefined && !isWaiting(item.status)))) return;
    if (item.cancel && why !== 'timeout') return;
    item.cancel = why;
    if (!item.jobId) {
      // Not submitted yet: out of its group, or (being submitted) ended by submitChunk.
      if (this.gatherer.remove(item.groupKey, item)) this.finishUnsubmitted(item);
      return;
    }
    this.requestTerminate(item, cancelMessage(why));
    if (why === 'interrupt') {
      // Wait for the job to end (its flowctl records the attempt), but not forever.
      const t = setTimeout(() => this.abandon(item, 'interrupted'), this.s.terminateWaitMs);
      t.unref();
      item.timers.push(t);
    }
  }

  /** TerminateJob, batched: the whole array job when every child still going asked for it, else each child. */
  private requestTerminate(item: Pending, reason: string): void {
    if (!item.jobId || (item.unit?.terminated ?? false)) return;
    this.terminateQueue.push({ item, reason });
    if (this.terminateQueue.length === 1) setImmediate(() => this.track(this.drainTerminations()));
  }

  private async drainTerminations(): Promise<void> {
    const queue = this.terminateQueue;
    this.terminateQueue = [];
    const byUnit = new Map<Unit, Array<{ item: Pending; reason: string }>>();
    for (const r of queue) {
      const list = byUnit.get(r.item.unit!) ?? [];
      list.push(r);
      byUnit.set(r.item.unit!, list);
    }
    const calls: Array<Promise<void>> = [];
    for (const [unit, reqs] of byUnit) {
      if (unit.terminated) continue;
      const asked = new Set(reqs.map((r) => r.item));
      const going = unit.items.filter((i) => !i.done && !isFinal(i.status));
      if (unit.array && going.every((i) => asked.has(i))) {
        unit.terminated = true;
        calls.push(this.terminate(unit.id, reqs[0]!.reason));
      } else {
        for (const r of reqs) calls.push(this.terminate(r.item.jobId!, r.reason));
      }
    }
    await Promise.all(calls);
  }

  private async terminate(jobId: string, reason: string): Promise<void> {
    try {
      await this.calls.terminate(jobId, reason);
    } catch (e) {
      this.o.warn(`could not terminate AWS Batch job ${jobId}: ${describeError(e)}; end it with: aws batch terminate-job --job-id ${jobId} --reason '${reason}'`);
    }
  }

  /** Stop waiting for the job (a second Ctrl-C, or it did not end in time): the attempt ends now. */
  private abandon(item: Pending, state: 'interrupted', reason = 'interrupted (AWS Batch job terminated)'): void {
    if (item.done) return;
    item.cancel ??= 'interrupt';
    this.complete(item, undefined, reason, state);
  }

  /** The job ended (or is given up on): read the attempt's record, or write one for an attempt that never recorded itself. */
  private complete(item: Pending, job: JobDetail | undefined, problem?: string, forced?: AttemptRecord['state']): void {
    if (item.done) return;
    item.done = true;
    item.unwatch?.();
    for (const t of item.timers) clearTimeout(t);
    this.track((async () => {
      await item.relay?.finish();
      const s = item.spec;
      const info = job ? jobInfoOf(job, item.jobId!) : item.jobId ? { id: item.jobId, queue: item.unit?.queue } : undefined;
      let rec = forced ? undefined : await this.o.store.readAttempt(s.flow, s.runId, s.step, s.taskId, s.attempt);
      let write = false;
      if (!rec) {
        rec = this.synthesize(item, job, info, problem, forced);
        write = true;
      } else if (rec.state !== 'succeeded' && (job?.status === 'FAILED' || item.cancel)) {
        // The job's own words on why it ended (OOM, a lost host, our TerminateJob) join the attempt's.
        rec.job = { ...rec.job, ...info! };
        const extra = item.cancel ? cancelMessage(item.cancel) : batchReason(rec.job);
        if (extra && !rec.reason?.includes(extra)) rec.reason = rec.reason ? `${rec.reason}; ${extra}` : extra;
        if (item.cancel === 'timeout') rec.state = 'timeout';
        else if (item.cancel) rec.state = 'interrupted';
        write = true;
      }
      if (write) await this.o.store.writeAttempt(s.flow, s.runId, s.step, s.taskId, rec);
      return rec;
    })().then((r) => this.settleItem(item, () => item.resolve(r)), (e) => this.settleItem(item, () => item.reject(e))));
  }

  private synthesize(item: Pending, job: JobDetail | undefined, info: AttemptRecord['job'], problem: string | undefined, forced?: AttemptRecord['state']): AttemptRecord {
    const started = batchTime(job?.startedAt) ?? item.startedAt ?? item.unit?.submittedAt ?? Date.now();
    const stopped = batchTime(job?.stoppedAt) ?? Date.now();
    const state: AttemptRecord['state'] = forced ?? (item.cancel === 'timeout' ? 'timeout' : item.cancel ? 'interrupted' : 'failed');
    const said = info ? batchReason(info) : undefined;
    const reason = problem ?? (item.cancel ? cancelMessage(item.cancel) : job?.status === 'SUCCEEDED'
      ? `AWS Batch job ${item.jobId} succeeded but wrote no attempt record (is \`flowctl task\` the image's command, and can the job role write the datastore?)`
      : `the AWS Batch job ended before the attempt did${said ? ` (${said.replace(/^AWS Batch: /, '')})` : ''}`);
    return {
      formatVersion: 1, attempt: item.spec.attempt, state, exitCode: job?.container?.exitCode ?? null, signal: null,
      startedAt: new Date(started).toISOString(), finishedAt: new Date(stopped).toISOString(), durationMs: Math.max(0, stopped - started),
      reason, executor: 'batch', ...(info ? { job: info } : {}),
    };
  }

  /** An attempt that never reached Batch. */
  private fail(item: Pending, reason: string): void {
    item.done = true;
    const now = new Date().toISOString();
    const rec: AttemptRecord = { formatVersion: 1, attempt: item.spec.attempt, state: 'failed', exitCode: null, signal: null, startedAt: now, finishedAt: now, durationMs: 0, reason, executor: 'batch' };
    this.writeAndSettle(item, rec);
  }

  private finishUnsubmitted(item: Pending): void {
    if (item.done) return;
    item.done = true;
    const now = new Date().toISOString();
    const state = item.cancel === 'timeout' ? 'timeout' : 'interrupted';
    const rec: AttemptRecord = { formatVersion: 1, attempt: item.spec.attempt, state, exitCode: null, signal: null, startedAt: now, finishedAt: now, durationMs: 0, reason: cancelMessage(item.cancel ?? 'interrupt', false), executor: 'batch' };
    this.writeAndSettle(item, rec);
  }

  private writeAndSettle(item: Pending, rec: AttemptRecord): void {
    const s = item.spec;
    this.track(this.o.store.writeAttempt(s.flow, s.runId, s.step, s.taskId, rec)
      .then(() => this.settleItem(item, () => item.resolve(rec)), (e) => this.settleItem(item, () => item.reject(e))));
  }

  private settleItem(item: Pending, done: () => void): void {
    this.active.delete(item);
    item.relay?.stop();
    done();
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => {}).finally(() => this.inFlight.delete(q));
    this.inFlight.add(q);
  }
}

/** @example const executor = await createBatchExecutor({ store, env: process.env, warn: console.warn }); */
export async function createBatchExecutor(o: BatchExecutorOptions): Promise<BatchExecutor> {
  return new BatchExecutor({ ...o, client: o.client ?? (await createBatchClient(o.env)) });
}

/**
 * The job definition's `secrets`: each secret variable of the attempt comes from the Secrets
 * Manager / SSM ARN its param is mapped to (`batch.secrets`). A variable that carries no whole
 * param value (a secret combined with other text) cannot be injected: the reason, as a string.
 */
export function jobSecrets(spec: AttemptSpec, ctx: Pick<ExecutorContext, 'secretSources'>): Secret[] | string {
  const out: Secret[] = [];
  for (const name of spec.secretEnv) {
    const param = ctx.secretSources?.[name];
    const arn = param === undefined ? undefined : spec.batch?.secrets[param];
    if (arn === undefined) {
      return param === undefined
        ? `secret variable ${name} holds a value computed from a secret (not a whole secret param), which AWS Batch cannot inject; use the param whole (\${{ params.NAME }}, or $FLOW_PARAM_NAME in the script) so the job gets it from Secrets Manager or SSM`
        : `secret param '${param}' has no source on AWS Batch: add batch: { secrets: { ${param}: arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME } } to the step (secret values never travel in job definitions or overrides)`;
    }
    out.push({ name, valueFrom: arn });
  }
  return out;
}

const byTask = new Intl.Collator('en', { numeric: true });

function cancelMessage(why: Cancel, submitted = true): string {
  const job = submitted ? ' (AWS Batch job terminated)' : ' before it was submitted to AWS Batch';
  switch (why) {
    case 'interrupt': return `interrupted${job}`;
    case 'run-failed': return `not started: the run failed${job}`;
    case 'timeout': return `timed out${job}`;
  }
}

function safely(f: () => void): void {
  try {
    f();
  } catch {
    // A view's callback must not stop following jobs.
  }
}

async function mapLimit<T>(items: T[], limit: number, f: (x: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await f(items[next++]!);
  }));
}
