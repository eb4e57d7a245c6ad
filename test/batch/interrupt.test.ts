/**
 * Issue 15 acceptance, end to end against the fake Batch endpoint and s3rver: `logs --follow`
 * shows a running remote task's lines before it ends; Ctrl-C during the batch step terminates
 * its jobs (the endpoint records TerminateJob) and the run is interrupted (130) and resumable;
 * a job stuck RUNNABLE earns a warning naming the usual causes.
 */
import { execa, type ResultPromise } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, makeProject } from '../helpers/cli.js';
import { freshStore } from '../s3/helpers.js';
import { startS3rver, type TestS3 } from '../s3/s3rver.js';
import { startFakeBatch, type FakeBatch } from './fake-batch.js';

const URL = 's3://bucket/interrupt';
const FLOW = `version: 1
name: slow
steps:
  fit:
    foreach: [0, 1]
    executor: batch
    image: ghcr.io/example/flowctl-task:test
    run: 'echo "epoch 1 of item \${{ item }}"; echo "to stderr" >&2; sleep 120; echo never'
  after:
    needs: [fit]
    run: echo after
`;

let s3: TestS3;
let batch: FakeBatch;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  s3 = await startS3rver();
  dir = await makeProject({ 'flow.yaml': FLOW });
  env = {
    ...s3.env(path.join(dir, 'cache')), FLOWCTL_BATCH_POLL_MS: '200', FLOWCTL_BATCH_GATHER_MS: '300', FLOWCTL_LOG_SHIP_MS: '300',
    FLOWCTL_BATCH_RUNNABLE_WARN_MS: '1500',
  };
  batch = await startFakeBatch({ env: s3.env(path.join(dir, 'job-cache')) });
  Object.assign(env, batch.env);
}, 60_000);
afterAll(async () => {
  await batch?.stop();
  await s3?.stop();
});

function start(args: string[]): { child: ResultPromise; stderr: () => string } {
  const child = execa('node', [BIN, ...args], { cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester', ...env } });
  let seen = '';
  child.stderr!.on('data', (d: Buffer) => (seen += d.toString()));
  return { child, stderr: () => seen };
}

async function until<T>(what: string, f: () => Promise<T | undefined> | T | undefined, ms = 90_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('logs --follow shows a running remote task\'s output; Ctrl-C terminates the array job and the run is resumable', async () => {
  const idFile = path.join(dir, 'run-id');
  const run = start(['run', 'flow.yaml', '--datastore', URL, '--batch-queue', 'q', '--output', 'plain', '--run-id-file', idFile]);
  const id = (await until('the run id', () => readFile(idFile, 'utf8').catch(() => undefined))).trim();

  // While the job runs, its lines reach `logs --follow` (from the store, through the orchestrator's events).
  const follow = execa('node', [BIN, 'logs', `slow/${id}/fit/1`, '--follow', '--datastore', URL], { cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester', ...env } });
  let followed = '';
  follow.stdout!.on('data', (d: Buffer) => (followed += d.toString()));
  await until('the followed line', () => followed.includes('epoch 1 of item 1'));
  const jobs = await batch.jobs();
  expect(jobs.filter((j) => j.jobId.includes(':')).map((j) => j.status)).toEqual(['RUNNING', 'RUNNING']);
  expect(run.stderr()).toContain('task fit/1: submitted to AWS Batch (job ');

  run.child.kill('SIGINT');
  const r = await run.child;
  expect(r.exitCode).toBe(130);
  expect(String(r.stderr)).toMatch(/task fit\/0: interrupted/);
  // One TerminateJob, for the array job (its children go with it).
  const terms = await batch.calls('TerminateJob');
  const parent = (await batch.calls('SubmitJob'))[0]!;
  expect(terms).toHaveLength(1);
  expect(terms[0]!.body.jobId).toBe(jobs.find((j) => !j.jobId.includes(':'))!.jobId);
  expect(parent.body.arrayProperties).toEqual({ size: 2 });
  expect((await batch.jobs()).every((j: { status: string }) => j.status === 'FAILED')).toBe(true);
  const f = await follow;
  expect(f.exitCode).toBe(0);
  expect(followed).toContain('epoch 1 of item 1');
  expect(followed).not.toContain('never');

  const store = await freshStore(URL, s3.endpoint, dir);
  expect(await store.readRun('slow', id)).toMatchObject({ state: 'interrupted' });
  for (const t of ['0', '1']) {
    expect(await store.readTask('slow', id, 'fit', t)).toMatchObject({ state: 'interrupted', jobId: expect.stringMatching(/:\d$/) });
    // The job's flowctl got SIGTERM from Batch and recorded the attempt itself, with the output so far.
    expect(await store.readAttempt('slow', id, 'fit', t, 1)).toMatchObject({ state: 'interrupted', executor: 'batch', job: { id: expect.stringMatching(new RegExp(`:${t}$`)) } });
    expect(await store.readAttemptLog('slow', id, 'fit', t, 1, 'stdout')).toBe(`epoch 1 of item ${t}\n`);
    expect(await store.readAttemptLog('slow', id, 'fit', t, 1, 'stderr')).toBe('to stderr\n');
  }
}, 180_000);

test('a job stuck RUNNABLE gets a warning naming the usual causes; Ctrl-C then terminates it', async () => {
  const run = start(['run', 'flow.yaml', '--datastore', URL, '--batch-queue', 'stuck-queue', '--output', 'plain']);
  await until('the warning', () => /warning: AWS Batch array job/.test(run.stderr()));
  expect(run.stderr()).toMatch(/array job \S+ \(2 tasks of step fit\) has been RUNNABLE for .* in queue stuck-queue\. Usual causes: no compute environment of the queue can fit one task \(1 vCPU, 2048 MiB/);
  expect(run.stderr()).toContain('aws batch describe-job-queues --job-queues stuck-queue');
  await batch.resetCalls();
  run.child.kill('SIGINT');
  const r = await run.child;
  expect(r.exitCode).toBe(130);
  expect((await batch.calls('TerminateJob')).map((c) => c.body.reason)).toEqual(['interrupted (AWS Batch job terminated)']);
}, 120_000);
