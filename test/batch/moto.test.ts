/**
 * Issue 15, item 7: the requests flowctl's batch executor sends are accepted by a third-party
 * implementation of the Batch API too: moto's server (MOTO_SIMPLE_BATCH_JOBS: jobs are
 * bookkeeping only, no containers). The executor registers a definition, reuses it, submits an
 * array job and a plain one, follows them with DescribeJobs and terminates one; moto runs no
 * `flowctl task`, so every attempt ends without a record of its own, which the executor writes.
 */
import { BatchClient, CreateComputeEnvironmentCommand, CreateJobQueueCommand } from '@aws-sdk/client-batch';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { BatchExecutor } from '../../src/executors/batch/executor.js';
import { openFsPorts } from '../../src/store/fs-store.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from '../helpers/tmp.js';
import { attemptSpec, placement } from './helpers.js';

// moto is on this image's PATH (pyenv); its shim is the fallback when PATH was trimmed.
const MOTO = [...(process.env.PATH ?? '').split(':').map((d) => `${d}/moto_server`), '/root/.pyenv/shims/moto_server']
  .find((p) => existsSync(p)) ?? 'moto_server';
let moto: ChildProcess;
let endpoint: string;
let client: BatchClient;

beforeAll(async () => {
  moto = spawn(MOTO, ['-H', '127.0.0.1', '-p', '0'], { env: { ...process.env, MOTO_SIMPLE_BATCH_JOBS: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
  endpoint = await new Promise<string>((resolve, reject) => {
    let seen = '';
    const look = (d: Buffer) => {
      seen += d.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) resolve(m[1]!);
    };
    moto.stdout!.on('data', look);
    moto.stderr!.on('data', look);
    moto.once('exit', (code) => reject(new Error(`moto_server exited with ${code}: ${seen}`)));
  });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'; // the SDK's Node 20 notice, once per process
  client = new BatchClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
  // moto wants a service role that exists in its IAM.
  const role = await fetch(`${endpoint}/`, {
    method: 'POST',
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: 'batch-service', AssumeRolePolicyDocument: '{}' }),
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'AWS4-HMAC-SHA256 Credential=moto/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0' },
  });
  const serviceRole = /<Arn>([^<]+)<\/Arn>/.exec(await role.text())![1]!;
  const ce = await client.send(new CreateComputeEnvironmentCommand({ computeEnvironmentName: 'flowctl-ce', type: 'UNMANAGED', state: 'ENABLED', serviceRole }));
  await client.send(new CreateJobQueueCommand({ jobQueueName: 'gpu-queue', state: 'ENABLED', priority: 1, computeEnvironmentOrder: [{ order: 1, computeEnvironment: ce.computeEnvironmentArn! }] }));
}, 120_000);
afterAll(async () => {
  client?.destroy();
  if (moto && moto.exitCode === null) {
    const exited = new Promise((r) => moto.once('exit', r));
    moto.kill('SIGTERM');
    await exited;
  }
});

test("moto's Batch accepts flowctl's definitions, array and plain submissions, DescribeJobs and TerminateJob", async () => {
  const store = new Store(await openFsPorts(await tempDir('flowctl-moto-')));
  const warnings: string[] = [];
  const make = () => new BatchExecutor({
    store, env: {}, warn: (m) => warnings.push(m), client,
    settings: { pollMs: 200, gather: { idleMs: 100, maxWaitMs: 2000 }, terminateWaitMs: 5000, retry: { tries: 3, baseMs: 50, capMs: 200 } },
  });
  const e = make();
  const secrets = { ...placement, secrets: { token: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tok' } };
  const fanned = [0, 1, 2].map((i) => attemptSpec({ taskId: String(i), timeoutMs: 60_000, secretEnv: ['FLOW_PARAM_TOKEN'], batch: secrets }));
  const runs = fanned.map((s) => e.run(s, { secrets: {}, fanout: { key: 'fit@', size: 3 }, secretSources: { FLOW_PARAM_TOKEN: 'token' } }));
  const single = e.run(attemptSpec({ step: 'evaluate', taskId: '0' }), { secrets: {} });
  const recs = await Promise.all([...runs, single]);
  for (const r of recs) {
    // Submitted and followed to the end: the job's own words, never a refused request.
    expect(r.job?.id).toBeTruthy();
    expect(r.reason).not.toMatch(/could not/);
    expect(r.reason).toMatch(/AWS Batch/);
  }
  expect(recs.slice(0, 3).map((r) => r.job!.id)).toEqual([0, 1, 2].map((i) => `${recs[0]!.job!.id.split(':')[0]}:${i}`));
  expect(e.stats.calls).toMatchObject({ SubmitJob: 2, RegisterJobDefinition: 2 });
  await e.settle();

  // A second run reuses the ACTIVE definition; Ctrl-C terminates its job.
  const again = make();
  const abort = new AbortController();
  const run = again.run(attemptSpec({ taskId: '7' }), { secrets: {}, signal: abort.signal });
  while (!again.stats.calls.SubmitJob) await new Promise((r) => setTimeout(r, 50));
  abort.abort();
  const rec = await run;
  expect(rec.state).toBe('interrupted');
  expect(again.stats.calls).toMatchObject({ DescribeJobDefinitions: 1, SubmitJob: 1, TerminateJob: 1 });
  expect(again.stats.calls.RegisterJobDefinition).toBeUndefined();
  await again.settle();
  expect(warnings).toEqual([]);
}, 120_000);
