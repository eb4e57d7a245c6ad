/**
 * Issue 15, item 1 and 5: what a batch step needs is checked before anything runs (validate and
 * run exit 2, file:line:col): an S3 datastore, an image, a job queue, a source for every secret
 * param it can read, an execution role on Fargate; `--executor` moves steps; bad settings are
 * usage errors. And only runs with batch steps load the Batch SDK.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowctl, makeProject } from '../helpers/cli.js';

const S3 = { FLOWCTL_DATASTORE: 's3://bucket/prefix' };
const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:tok';

async function validate(flow: string, args: string[] = [], env: Record<string, string> = {}) {
  const dir = await makeProject({ 'flow.yaml': flow });
  return flowctl(['validate', 'flow.yaml', ...args], { cwd: dir, env: { FLOWCTL_DATASTORE: undefined as unknown as string, FLOWCTL_BATCH_QUEUE: undefined as unknown as string, ...env } });
}

test('a batch step needs an S3 datastore: validate and run say so, and run starts nothing', async () => {
  const flow = 'version: 1\nname: b\nsteps:\n  fit:\n    executor: batch\n    image: img:1\n    run: touch ran\n    batch: { queue: q }\n';
  const v = await validate(flow);
  expect(v.exitCode).toBe(2);
  expect(v.stderr).toContain("flow.yaml:5:15: step 'fit' asks for executor: batch, but AWS Batch jobs need an S3 datastore");
  expect(v.stderr).toContain('hint: pass --datastore s3://BUCKET/PREFIX (or set FLOWCTL_DATASTORE)');
  const local = await validate(flow, ['--datastore', '/tmp/store']);
  expect(local.stderr).toContain("this run's store is the local path /tmp/store");
  expect((await validate(flow, ['--datastore', 's3://b/p'])).exitCode).toBe(0);
  expect((await validate(flow, [], S3)).stdout).toBe('ok flow.yaml');

  const dir = await makeProject({ 'flow.yaml': flow });
  const r = await flowctl(['run', 'flow.yaml'], { cwd: dir, env: { FLOWCTL_DATASTORE: undefined as unknown as string } });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain('AWS Batch jobs need an S3 datastore');
});

test('an image, a queue, secret sources and a Fargate execution role, each at its line', async () => {
  const flow = `version: 1
name: b
params:
  token: { type: string, secret: true, default: "" }
  plain: { type: string, default: x }
steps:
  noimage:
    executor: batch
    run: echo
    params: []
    batch: { queue: q }
  noqueue:
    executor: batch
    image: img:1
    run: echo
    params: []
  secret:
    executor: batch
    image: img:1
    run: echo \${{ params.token }}
    params: []
    batch: { queue: q }
  fargate:
    executor: batch
    image: img:1
    run: echo
    params: [plain]
    batch: { queue: q, platform: FARGATE, secrets: { plain: ${ARN} } }
`;
  const v = await validate(flow, [], S3);
  expect(v.exitCode).toBe(2);
  const lines = v.stderr.split('\n').filter((l) => /^flow\.yaml:/.test(l));
  expect(lines).toEqual([
    "flow.yaml:8:15: step 'noimage' runs on AWS Batch, but has no image: a Batch job runs in a container image",
    "flow.yaml:13:15: step 'noqueue' runs on AWS Batch, but no job queue is set",
    "flow.yaml:18:15: step 'secret' runs on AWS Batch, can read secret param 'token', and no batch.secrets entry says where Batch gets it: secret values never travel in job definitions, job parameters or overrides (anyone who can describe jobs reads those)",
    "flow.yaml:28:5: step 'fargate' runs on AWS Batch, on FARGATE, which needs an execution role",
    "flow.yaml:28:5: step 'fargate' runs on AWS Batch, but batch.secrets names 'plain', which is not a secret param of the flow",
  ]);
  expect(v.stderr).toContain('hint: add batch: { queue: NAME } to the step or to defaults:, pass --batch-queue NAME, or set FLOWCTL_BATCH_QUEUE');
  expect(v.stderr).toContain(`hint: add batch: { secrets: { token: arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME } }`);
  // The queue from the flag or the environment is enough.
  const queued = await validate(flow, ['--batch-queue', 'q'], S3);
  expect(queued.stderr).not.toContain("'noqueue'");
  expect((await validate(flow, [], { ...S3, FLOWCTL_BATCH_QUEUE: 'q' })).stderr).not.toContain("'noqueue'");
});

test('a step that can read a secret param through FLOW_PARAM_* needs a source too; batch.secrets in defaults: counts', async () => {
  const flow = (extra: string) => `version: 1
name: b
params:
  token: { type: string, secret: true, default: "" }
defaults:
  batch: { queue: q${extra} }
steps:
  fit:
    executor: batch
    image: img:1
    run: echo
`;
  const v = await validate(flow(''), [], S3);
  expect(v.exitCode).toBe(2);
  expect(v.stderr).toContain("can read secret param 'token'");
  expect((await validate(flow(`, secrets: { token: ${ARN} }`), [], S3)).exitCode).toBe(0);
});

test('--executor batch sends every step with an image to Batch; --executor local keeps everything here', async () => {
  const flow = 'version: 1\nname: b\nsteps:\n  prep:\n    run: echo\n  fit:\n    image: img:1\n    run: echo\n  remote:\n    executor: batch\n    image: img:1\n    run: echo\n';
  const batch = await validate(flow, ['--executor', 'batch', '--batch-queue', 'q']);
  expect(batch.exitCode).toBe(2);
  expect(batch.stderr).toMatch(/flow\.yaml:6:3: step 'fit' asks for executor: batch, but AWS Batch jobs need an S3 datastore/);
  expect(batch.stderr).not.toContain("'prep'");
  expect((await validate(flow, ['--executor', 'batch', '--batch-queue', 'q'], S3)).exitCode).toBe(0);
  const local = await validate(flow, ['--executor', 'local']);
  expect(local.stderr).not.toContain('AWS Batch');
  const bad = await validate(flow, ['--executor', 'cloud']);
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toMatch(/--executor.*cloud|Expected --executor=cloud to be one of: batch, local/);

  // A batch step without an image runs here with --executor local.
  const dir = await makeProject({ 'flow.yaml': 'version: 1\nname: b\nsteps:\n  remote:\n    executor: batch\n    run: echo here > out.txt\n    outputs: [out.txt]\n' });
  const r = await flowctl(['run', 'flow.yaml', '--executor', 'local'], { cwd: dir, env: { FLOWCTL_DATASTORE: undefined as unknown as string } });
  expect(r.stderr).toMatch(/run \S+: succeeded/);
  expect(r.exitCode).toBe(0);
});

test('the batch: settings are checked by the schema, with their line and column', async () => {
  const v = await validate('version: 1\nname: b\nsteps:\n  fit:\n    executor: batch\n    image: img:1\n    run: echo\n    batch:\n      queue: q\n      platform: LAMBDA\n      job_role: my-role\n      secrets: { token: "plain text" }\n', [], S3);
  expect(v.exitCode).toBe(2);
  expect(v.stderr).toMatch(/flow\.yaml:10:17: .*platform.*EC2.*FARGATE/);
  expect(v.stderr).toMatch(/flow\.yaml:11:17: .*must be an IAM role ARN/);
  expect(v.stderr).toMatch(/flow\.yaml:12:25: .*must be the ARN of a Secrets Manager secret/);
  const group = await validate('version: 1\nname: b\nsteps:\n  g:\n    batch: { queue: q }\n    steps:\n      a: { run: echo }\n', [], S3);
  expect(group.stderr).toContain("flow.yaml:5:5: 'batch' is not allowed on group step 'g' (only task steps, with run:, take it)");
});

test('a timing variable that is not a number of milliseconds is a usage error before anything runs', async () => {
  const dir = await makeProject({ 'flow.yaml': 'version: 1\nname: b\nsteps:\n  fit:\n    executor: batch\n    image: img:1\n    run: echo\n    batch: { queue: q }\n' });
  const r = await flowctl(['run', 'flow.yaml', '--datastore', 's3://nowhere/p'], { cwd: dir, env: { FLOWCTL_BATCH_POLL_MS: 'soon' } });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain('error: FLOWCTL_BATCH_POLL_MS=soon is not a positive number of milliseconds');
});

test('only runs with batch steps load the AWS Batch SDK', async () => {
  const hook = path.join(path.dirname(fileURLToPath(import.meta.url)), '../ui/fixtures/log-imports.mjs');
  const dir = await makeProject({
    'local.yaml': 'version: 1\nname: l\nsteps:\n  a: { run: echo a }\n',
    'batch.yaml': 'version: 1\nname: b\nsteps:\n  fit:\n    executor: batch\n    image: img:1\n    run: echo\n    batch: { queue: q }\n',
  });
  const loaded = async (args: string[]) => {
    const log = path.join(dir, `imports-${args[0]}-${args[1]}.log`);
    const r = await flowctl(args, { cwd: dir, env: { NODE_OPTIONS: `--import=${hook}`, FLOWCTL_IMPORT_LOG: log, ...S3 } });
    const text = await readFile(log, 'utf8').catch(() => '');
    return { r, batchSdk: text.includes('/node_modules/@aws-sdk/client-batch/'), s3Sdk: text.includes('/node_modules/@aws-sdk/client-s3/') };
  };
  const local = await loaded(['run', 'local.yaml', '--datastore', path.join(dir, 'store')]);
  expect(local.r.exitCode).toBe(0);
  expect(local.batchSdk).toBe(false);
  const checked = await loaded(['validate', 'batch.yaml']);
  expect(checked.r.exitCode).toBe(0);
  expect(checked.batchSdk).toBe(false);
  expect(checked.s3Sdk).toBe(false);
});
