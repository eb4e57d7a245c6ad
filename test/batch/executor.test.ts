/**
 * Issue 15: the batch executor's behaviour against a mocked Batch client (the jobs' states are
 * set by each test, the attempt records written as a job's `flowctl task` would): one array job
 * per fan-out, one poller describing ≤ 100 ids a call, backoff on throttling, TerminateJob on
 * Ctrl-C (once for a whole array), on a failed run (queued jobs only) and on timeout, and
 * Batch's reasons (a lost host, OOM) in the attempt records.
 */
import {
  BatchClient, DescribeJobDefinitionsCommand, DescribeJobsCommand, RegisterJobDefinitionCommand, SubmitJobCommand, TerminateJobCommand,
  type JobDetail,
} from '@aws-sdk/client-batch';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { BatchExecutor } from '../../src/executors/batch/executor.js';
import type { BatchSettings } from '../../src/executors/batch/settings.js';
import type { ExecutorContext } from '../../src/executors/port.js';
import { openFsPorts } from '../../src/store/fs-store.js';
import type { AttemptRecord, AttemptSpec } from '../../src/store/records.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { attemptSpec } from './helpers.js';

const FAST: Partial<BatchSettings> = {
  pollMs: 20, missingMs: 60_000, gather: { idleMs: 30, maxWaitMs: 2000 }, runnableWarnMs: 60_000, terminateWaitMs: 2000, timeoutGraceMs: 50,
  relay: { everyMs: 20, maxFollowed: 8, maxChars: 1 << 20 }, retry: { tries: 6, baseMs: 5, capMs: 20 },
};

interface Fake {
  batch: AwsClientStub<BatchClient>;
  jobs: Map<string, JobDetail>;
  store: Store;
  warnings: string[];
  executor(settings?: Partial<BatchSettings>): BatchExecutor;
  /** Wait until `n` SubmitJob calls were made; the job ids. */
  submitted(n?: number): Promise<string[]>;
  set(ids: string[], status: string, extra?: Partial<JobDetail>): void;
  /** What the job's `flowctl task` leaves: the attempt record. */
  recordRemote(spec: AttemptSpec, over?: Partial<AttemptRecord>): Promise<void>;
}

async function fake(): Promise<Fake> {
  const batch = mockClient(BatchClient);
  const jobs = new Map<string, JobDetail>();
  const submitIds: string[] = [];
  const store = new Store(await openFsPorts(await tempDir('flowctl-batch-exec-')));
  const warnings: string[] = [];
  batch.on(DescribeJobDefinitionsCommand).resolves({ jobDefinitions: [] });
  batch.on(RegisterJobDefinitionCommand).callsFake((i) => ({ jobDefinitionName: i.jobDefinitionName, revision: 1, jobDefinitionArn: 'arn' }));
  batch.on(SubmitJobCommand).callsFake((i) => {
    const id = `job${submitIds.length + 1}`;
    submitIds.push(id);
    const size = i.arrayProperties?.size;
    if (size) for (let k = 0; k < size; k++) jobs.set(`${id}:${k}`, { jobId: `${id}:${k}`, status: 'SUBMITTED', arrayProperties: { index: k } } as JobDetail);
    else jobs.set(id, { jobId: id, status: 'SUBMITTED' } as JobDetail);
    return { jobId: id, jobName: i.jobName, jobArn: `arn:${id}` };
  });
  batch.on(DescribeJobsCommand).callsFake((i) => ({ jobs: (i.jobs as string[]).map((id) => jobs.get(id)).filter(Boolean) }));
  batch.on(TerminateJobCommand).resolves({});
  return {
    batch, jobs, store, warnings,
    executor: (settings = {}) => new BatchExecutor({
      store, env: {}, warn: (m) => warnings.push(m), client: batch as unknown as BatchClient, settings: { ...FAST, ...settings },
    }),
    async submitted(n = 1) {
      await until(() => submitIds.length >= n);
      return submitIds.slice(0, n);
    },
    set(ids, status, extra = {}) {
      for (const id of ids) jobs.set(id, { ...jobs.get(id)!, status, ...extra } as JobDetail);
    },
    async recordRemote(spec, over = {}) {
      await store.writeAttempt(spec.flow, spec.runId, spec.step, spec.taskId, {
        formatVersion: 1, attempt: spec.attempt, state: 'succeeded', exitCode: 0, signal: null, startedAt: new Date().toISOString(),
        executor: 'batch', values: {}, outputs: [], ...over,
      });
    },
  };
}

async function until(ok: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const specs = (n: number, over: Partial<AttemptSpec> = {}) => Array.from({ length: n }, (_, i) => attemptSpec({ taskId: String(i), ...over }));
const ctxOf = (n: number, over: Partial<ExecutorContext> = {}): ExecutorContext => ({ secrets: {}, fanout: { key: 'fit@', size: n }, ...over });
const ids = (job: string, n: number) => Array.from({ length: n }, (_, i) => `${job}:${i}`);

let f: Fake;
beforeEach(async () => {
  f = await fake();
});
afterEach(() => f.batch.restore());

test('a fan-out of 250 is one array job; each round describes its children 100 ids a call', async () => {
  const e = f.executor();
  const statuses: string[] = [];
  const all = specs(250);
  const runs = all.map((s) => e.run(s, ctxOf(250, { onStatus: (st) => statuses.push(`${s.taskId}:${st.status}:${st.jobId}`) })));
  const [job] = await f.submitted();
  expect(f.batch.commandCalls(SubmitJobCommand)).toHaveLength(1);
  expect(f.batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.arrayProperties).toEqual({ size: 250 });
  // Specs and the child list are in the store before the job exists.
  expect(await f.store.readAttemptSpec('train', all[7]!.runId, 'fit', '7', 1)).toEqual(all[7]);
  const command = f.batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.containerOverrides!.command!;
  const list = await f.store.readJobArray('train', all[0]!.runId, command.at(-1)!.split('/')[2]!);
  expect(list!.attempts[249]).toEqual({ step: 'fit', taskId: '249', attempt: 1 });

  f.set(ids(job!, 250), 'RUNNING', { startedAt: Date.now() });
  await until(() => statuses.filter((s) => s.includes(':running:')).length === 250);
  for (const s of all) await f.recordRemote(s, { job: { id: `${job}:${s.taskId}` } });
  f.set(ids(job!, 250), 'SUCCEEDED');
  const recs = await Promise.all(runs);
  expect(recs.every((r) => r.state === 'succeeded')).toBe(true);
  expect(statuses).toContain(`42:submitted:${job}:42`);
  for (const c of f.batch.commandCalls(DescribeJobsCommand)) expect(c.args[0].input.jobs!.length).toBeLessThanOrEqual(100);
  expect(e.stats.maxCallsPerRound).toBe(3);
  await e.settle();
});

test('child i of the array job runs item i, whatever order the tasks arrived in', async () => {
  const e = f.executor();
  const all = specs(12);
  // The runtime starts a fan-out's tasks after their own cache lookups: they arrive shuffled.
  const order = [7, 2, 11, 0, 5, 9, 1, 10, 3, 8, 6, 4];
  const jobOf: Record<string, string> = {};
  const runs = order.map((i) => e.run(all[i]!, ctxOf(12, { onStatus: (st) => (jobOf[all[i]!.taskId] = st.jobId) })));
  const [job] = await f.submitted();
  const command = f.batch.commandCalls(SubmitJobCommand)[0]!.args[0].input.containerOverrides!.command!;
  const list = await f.store.readJobArray('train', all[0]!.runId, command.at(-1)!.split('/')[2]!);
  expect(list!.attempts.map((a) => a.taskId)).toEqual(all.map((s) => s.taskId));
  f.set(ids(job!, 12), 'RUNNING', { startedAt: Date.now() });
  for (const s of all) await f.recordRemote(s);
  f.set(ids(job!, 12), 'SUCCEEDED');
  expect((await Promise.all(runs)).every((r) => r.state === 'succeeded')).toBe(true);
  expect(all.map((s) => jobOf[s.taskId])).toEqual(ids(job!, 12));
  await e.settle();
});

test('throttled DescribeJobs calls are retried with backoff, and the jobs still end', async () => {
  const e = f.executor();
  const all = specs(3);
  const runs = all.map((s) => e.run(s, ctxOf(3)));
  const [job] = await f.submitted();
  const throttle = Object.assign(new Error('Too Many Requests'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
  f.batch.on(DescribeJobsCommand).rejectsOnce(throttle).rejectsOnce(throttle).rejectsOnce(throttle)
    .callsFake((i) => ({ jobs: (i.jobs as string[]).map((id) => f.jobs.get(id)).filter(Boolean) }));
  for (const s of all) await f.recordRemote(s);
  f.set(ids(job!, 3), 'SUCCEEDED');
  expect((await Promise.all(runs)).map((r) => r.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  expect(e.stats.calls.DescribeJobs).toBeGreaterThanOrEqual(e.stats.rounds + 3);
  await e.settle();
});

test('Ctrl-C terminates a whole array job with one TerminateJob; the attempts are interrupted', async () => {
  const e = f.executor();
  const abort = new AbortController();
  const all = specs(3);
  const runs = all.map((s) => e.run(s, ctxOf(3, { signal: abort.signal })));
  const [job] = await f.submitted();
  f.set(ids(job!, 3), 'RUNNING', { startedAt: Date.now() });
  await new Promise((r) => setTimeout(r, 60));
  abort.abort('interrupt');
  await until(() => f.batch.commandCalls(TerminateJobCommand).length > 0);
  // The jobs' flowctl task saw SIGTERM and recorded the attempt as interrupted; then Batch says FAILED.
  for (const s of all) await f.recordRemote(s, { state: 'interrupted', exitCode: null, signal: 'SIGTERM', reason: 'interrupted' });
  f.set(ids(job!, 3), 'FAILED', { statusReason: 'interrupted (AWS Batch job terminated)' });
  const recs = await Promise.all(runs);
  expect(recs.map((r) => r.state)).toEqual(['interrupted', 'interrupted', 'interrupted']);
  const terms = f.batch.commandCalls(TerminateJobCommand).map((c) => c.args[0].input);
  expect(terms).toEqual([{ jobId: job, reason: 'interrupted (AWS Batch job terminated)' }]);
  await e.settle();
});

test('one child interrupted alone is terminated alone', async () => {
  const e = f.executor();
  const abort = new AbortController();
  const all = specs(3);
  const runs = all.map((s, i) => e.run(s, ctxOf(3, i === 1 ? { signal: abort.signal } : {})));
  const [job] = await f.submitted();
  f.set(ids(job!, 3), 'RUNNING', { startedAt: Date.now() });
  abort.abort('interrupt');
  await until(() => f.batch.commandCalls(TerminateJobCommand).length > 0);
  expect(f.batch.commandCalls(TerminateJobCommand).map((c) => c.args[0].input.jobId)).toEqual([`${job}:1`]);
  f.set([`${job}:1`], 'FAILED', { statusReason: 'terminated' });
  for (const s of [all[0]!, all[2]!]) await f.recordRemote(s);
  f.set([`${job}:0`, `${job}:2`], 'SUCCEEDED');
  const recs = await Promise.all(runs);
  expect(recs.map((r) => r.state)).toEqual(['succeeded', 'interrupted', 'succeeded']);
  // No record from the job: the executor wrote one, with Batch's words.
  expect(await f.store.readAttempt('train', all[1]!.runId, 'fit', '1', 1)).toMatchObject({ state: 'interrupted', executor: 'batch', job: { id: `${job}:1`, statusReason: 'terminated' } });
  await e.settle();
});

test('when the run fails, jobs still queued are terminated and running ones finish', async () => {
  const e = f.executor();
  const failed = new AbortController();
  const all = specs(2);
  const runs = all.map((s) => e.run(s, ctxOf(2, { runFailed: failed.signal })));
  const [job] = await f.submitted();
  f.set([`${job}:0`], 'RUNNING', { startedAt: Date.now() });
  f.set([`${job}:1`], 'RUNNABLE');
  await until(() => e.stats.rounds >= 2);
  failed.abort('run-failed');
  await until(() => f.batch.commandCalls(TerminateJobCommand).length > 0);
  expect(f.batch.commandCalls(TerminateJobCommand).map((c) => c.args[0].input.jobId)).toEqual([`${job}:1`]);
  f.set([`${job}:1`], 'FAILED', { statusReason: 'not started: the run failed (AWS Batch job terminated)' });
  await f.recordRemote(all[0]!);
  f.set([`${job}:0`], 'SUCCEEDED');
  const [a, b] = await Promise.all(runs);
  expect(a!.state).toBe('succeeded');
  expect(b).toMatchObject({ state: 'interrupted', reason: 'not started: the run failed (AWS Batch job terminated)' });
  await e.settle();
});

test("a lost host and an out-of-memory kill are recorded in Batch's words", async () => {
  const e = f.executor();
  const all = specs(2);
  const runs = all.map((s) => e.run(s, ctxOf(2)));
  const [job] = await f.submitted();
  f.set(ids(job!, 2), 'RUNNING', { startedAt: Date.now() });
  // Child 0: the host went away, nothing recorded. Child 1: its flowctl saw the command killed.
  await f.recordRemote(all[1]!, { state: 'failed', exitCode: null, signal: 'SIGKILL', reason: 'killed by SIGKILL' });
  f.set([`${job}:0`], 'FAILED', { statusReason: 'Host EC2 (instance i-0abc) terminated.', stoppedAt: Date.now() });
  f.set([`${job}:1`], 'FAILED', { statusReason: 'Essential container in task exited', container: { reason: 'OutOfMemoryError: Container killed due to memory usage', exitCode: 137 } });
  const [lost, oom] = await Promise.all(runs);
  expect(lost).toMatchObject({ state: 'failed', executor: 'batch', reason: expect.stringContaining('Host EC2 (instance i-0abc) terminated.'), job: { statusReason: 'Host EC2 (instance i-0abc) terminated.' } });
  expect(oom!.reason).toBe('killed by SIGKILL; AWS Batch: Essential container in task exited; container: OutOfMemoryError: Container killed due to memory usage');
  expect(await f.store.readAttempt('train', all[1]!.runId, 'fit', '1', 1)).toMatchObject({ job: { containerReason: 'OutOfMemoryError: Container killed due to memory usage' } });
  await e.settle();
});

test('a job RUNNABLE past the threshold gets one warning naming the queue and the usual causes', async () => {
  const e = f.executor({ runnableWarnMs: 80 });
  const s = attemptSpec();
  const run = e.run(s, { secrets: {} });
  const [job] = await f.submitted();
  f.set([job!], 'RUNNABLE');
  await until(() => f.warnings.length > 0);
  await new Promise((r) => setTimeout(r, 100));
  expect(f.warnings).toHaveLength(1);
  expect(f.warnings[0]).toMatch(new RegExp(`AWS Batch job ${job} \\(fit/3\\) has been RUNNABLE for .* in queue gpu-queue`));
  expect(f.warnings[0]).toMatch(/no compute environment of the queue can fit one task \(2 vCPU, 4096 MiB/);
  await f.recordRemote(s);
  f.set([job!], 'SUCCEEDED');
  expect((await run).state).toBe('succeeded');
  await e.settle();
});

test('a job that outlives its timeout is terminated and recorded as timed out', async () => {
  const e = f.executor();
  const s = attemptSpec({ timeoutMs: 40 });
  const run = e.run(s, { secrets: {} });
  const [job] = await f.submitted();
  f.set([job!], 'RUNNING', { startedAt: Date.now() });
  await until(() => f.batch.commandCalls(TerminateJobCommand).length > 0);
  expect(f.batch.commandCalls(TerminateJobCommand)[0]!.args[0].input).toEqual({ jobId: job, reason: 'timed out (AWS Batch job terminated)' });
  f.set([job!], 'FAILED', { statusReason: 'timed out (AWS Batch job terminated)' });
  expect(await run).toMatchObject({ state: 'timeout', reason: 'timed out (AWS Batch job terminated)' });
  await e.settle();
});

test('nothing is submitted for a secret without a source; a refused submission fails its attempts', async () => {
  const e = f.executor();
  const rec = await e.run(attemptSpec({ secretEnv: ['FLOW_PARAM_TOKEN'] }), { secrets: { FLOW_PARAM_TOKEN: 'v' }, secretSources: { FLOW_PARAM_TOKEN: 'token' } });
  expect(rec).toMatchObject({ state: 'failed', reason: expect.stringContaining("secret param 'token' has no source on AWS Batch") });
  expect(f.batch.commandCalls(SubmitJobCommand)).toHaveLength(0);

  f.batch.on(SubmitJobCommand).rejects(Object.assign(new Error('Job queue nope does not exist'), { name: 'ClientException', $metadata: { httpStatusCode: 400 } }));
  const recs = await Promise.all(specs(2).map((s) => e.run(s, ctxOf(2))));
  expect(recs.map((r) => r.reason)).toEqual(Array(2).fill('could not submit the AWS Batch job: ClientException: Job queue nope does not exist'));
  expect(f.batch.commandCalls(SubmitJobCommand)).toHaveLength(1);
  await e.settle();
});

test('a second Ctrl-C stops waiting for the job at once', async () => {
  const e = f.executor({ terminateWaitMs: 60_000 });
  const abort = new AbortController();
  const kill = new AbortController();
  const run = e.run(attemptSpec(), { secrets: {}, signal: abort.signal, killSignal: kill.signal });
  const [job] = await f.submitted();
  f.set([job!], 'RUNNING', { startedAt: Date.now() });
  abort.abort();
  kill.abort();
  expect(await run).toMatchObject({ state: 'interrupted', job: { id: job } });
  await e.settle();
});

test('settle() at the end of a run that stopped on an error terminates what is still going', async () => {
  const e = f.executor();
  const run = e.run(attemptSpec(), { secrets: {} });
  const [job] = await f.submitted();
  f.set([job!], 'RUNNING', { startedAt: Date.now() });
  await e.settle();
  expect(f.batch.commandCalls(TerminateJobCommand).map((c) => c.args[0].input.jobId)).toEqual([job]);
  expect((await run).state).toBe('interrupted');
});
