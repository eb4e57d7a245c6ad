/**
 * Issue 15, end to end against the fake Batch endpoint (which injects the faults) and s3rver:
 * throttled calls are retried, a child whose host is lost is retried as flowctl's own next
 * attempt, Batch's reasons (lost host, out of memory, image pull) land in the attempt
 * records, and a secret reaches the job only through the job definition's `secrets` (valueFrom):
 * its value is in no request flowctl sends and in nothing it stores.
 */
import path from 'node:path';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';
import { freshStore } from '../s3/helpers.js';
import { startS3rver, type TestS3 } from '../s3/s3rver.js';
import { startFakeBatch, type FakeBatch } from './fake-batch.js';

const URL = 's3://bucket/faults';
const SECRET = 'hunter2-d41d8cd98f00b204';
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token-AbCdEf';
const IMAGE = 'ghcr.io/example/flowctl-task:test';

const FLOWS = {
  'retry.yaml': `version: 1
name: retry
steps:
  fit:
    foreach: [0, 1, 2]
    executor: batch
    image: ${IMAGE}
    run: 'sleep 1; echo "fit \${{ item }}" > out.txt'
    outputs: [out.txt]
    retry: 1
`,
  'reasons.yaml': `version: 1
name: reasons
defaults:
  executor: batch
  catch: true
steps:
  oom:
    image: ${IMAGE}
    run: 'echo allocating; sleep 30'
  pull:
    image: ghcr.io/example/does-not-exist:1
    run: 'echo never'
`,
  'secret.yaml': `version: 1
name: secret
params:
  token: { type: string, secret: true }
steps:
  use:
    executor: batch
    image: ${IMAGE}
    batch:
      secrets: { token: ${ARN} }
    run: 'echo "length \${#FLOW_PARAM_TOKEN}"; echo "token $FLOW_PARAM_TOKEN"; echo "arg \${{ params.token }}"'
`,
};

let s3: TestS3;
let batch: FakeBatch;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  s3 = await startS3rver();
  dir = await makeProject(FLOWS);
  env = { ...s3.env(path.join(dir, 'cache')), FLOWCTL_BATCH_POLL_MS: '200', FLOWCTL_BATCH_GATHER_MS: '300', FLOWCTL_BATCH_RETRY_BASE_MS: '50', FLOWCTL_BATCH_QUEUE: 'q' };
  batch = await startFakeBatch({ env: s3.env(path.join(dir, 'job-cache')), secrets: { [ARN]: SECRET } });
  Object.assign(env, batch.env);
}, 60_000);
afterAll(async () => {
  await batch?.stop();
  await s3?.stop();
});

const cli = (args: string[], extra: Record<string, string> = {}) => flowctl(args, { cwd: dir, env: { ...env, ...extra } });

test('throttling is ridden out and a lost host costs one attempt, retried by flowctl', async () => {
  await batch.faults({ throttle: { SubmitJob: 1, DescribeJobs: 3 }, hostLoss: [{ index: 1, times: 1, afterMs: 200 }] });
  await batch.resetCalls();
  const r = await cli(['run', 'retry.yaml', '--datastore', URL]);
  expect(r.stderr).toMatch(/run \S+: succeeded/);
  expect(r.exitCode).toBe(0);
  const id = runIdFrom(r);
  const submits = await batch.calls('SubmitJob');
  expect(submits.map((c) => [c.status, c.body.arrayProperties?.size ?? 1])).toEqual([[429, 3], [200, 3], [200, 1]]);
  expect((await batch.calls('DescribeJobs')).filter((c) => c.status === 429)).toHaveLength(3);

  const store = await freshStore(URL, s3.endpoint, dir);
  expect((await store.readTask('retry', id, 'fit', '1'))).toMatchObject({ state: 'succeeded', attempts: 2 });
  const lost = await store.readAttempt('retry', id, 'fit', '1', 1);
  expect(lost).toMatchObject({
    state: 'failed', executor: 'batch',
    reason: expect.stringContaining('Host EC2 (instance i-0fake1234) terminated.'),
    job: { id: expect.stringMatching(/:1$/), statusReason: 'Host EC2 (instance i-0fake1234) terminated.', status: 'FAILED' },
  });
  expect(r.stderr).toMatch(/attempt 1 failed: .*Host EC2 .* terminated.*; retrying/);
}, 180_000);

test("Batch's reasons are recorded: out of memory, an image that cannot be pulled", async () => {
  await batch.faults({ oom: [{ jobName: 'oom', afterMs: 1500 }], pullFail: ['ghcr.io/example/does-not-exist:1'] });
  const r = await cli(['run', 'reasons.yaml', '--datastore', URL]);
  expect(r.exitCode).toBe(0); // caught
  const id = runIdFrom(r);
  const store = await freshStore(URL, s3.endpoint, dir);
  const oom = await store.readAttempt('reasons', id, 'oom', '0', 1);
  expect(oom).toMatchObject({ state: 'failed', exitCode: 137, job: { containerReason: 'OutOfMemoryError: Container killed due to memory usage' } });
  expect(oom!.reason).toContain('OutOfMemoryError: Container killed due to memory usage');
  const pull = await store.readAttempt('reasons', id, 'pull', '0', 1);
  expect(pull!.reason).toMatch(/the AWS Batch job ended before the attempt did \(Task failed to start; container: CannotPullContainerError: .*does-not-exist:1: not found\)/);
  const show = await cli(['show', `reasons/${id}/oom/0`, '--datastore', URL]);
  expect(show.stdout).toContain('OutOfMemoryError');
}, 180_000);

test('a secret comes from Secrets Manager through the job definition, never in a request or a record', async () => {
  await batch.resetCalls();
  const r = await cli(['run', 'secret.yaml', '--datastore', URL, '--output', 'json'], { FLOWCTL_PARAM_TOKEN: SECRET });
  expect(r.exitCode).toBe(0);
  const id = JSON.parse(r.stdout.trim().split('\n')[0]!).runId as string;
  const calls = await batch.calls();
  const registered = calls.find((c) => c.op === 'RegisterJobDefinition')!;
  expect(registered.body.containerProperties.secrets).toEqual([
    { name: 'FLOW_PARAM_TOKEN', valueFrom: ARN }, { name: 'FLOW_SECRET_1', valueFrom: ARN },
  ]);
  expect(JSON.stringify(calls)).not.toContain(SECRET);
  expect(r.stdout).not.toContain(SECRET);

  const store = await freshStore(URL, s3.endpoint, dir);
  // The job got the value (its length) and masked it in its output.
  expect(await store.readAttemptLog('secret', id, 'use', '0', 1, 'stdout')).toBe(`length ${SECRET.length}\ntoken ***\narg ***\n`);
  const spec = await store.readAttemptSpec('secret', id, 'use', '0', 1);
  expect(JSON.stringify(spec)).not.toContain(SECRET);
  expect(spec!.secretEnv.sort()).toEqual(['FLOW_PARAM_TOKEN', 'FLOW_SECRET_1']);
  expect(JSON.stringify(await store.readEvents('secret', id))).not.toContain(SECRET);
}, 180_000);
