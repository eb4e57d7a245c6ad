/**
 * Issue 15 acceptance, end to end: the real CLI and the real @aws-sdk/client-batch against the
 * fake Batch endpoint (jobs run `flowctl task` as local processes) and s3rver. A hybrid flow —
 * local prepare → batch foreach fit over 4 items as one array job → local evaluate — passes
 * artifacts both ways through S3; a child that fails once succeeds on its retry; `show` lists
 * the Batch job ids; `resume` re-submits only what failed.
 */
import path from 'node:path';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';
import { freshStore } from '../s3/helpers.js';
import { startS3rver, type TestS3 } from '../s3/s3rver.js';
import { startFakeBatch, type FakeBatch } from './fake-batch.js';

const URL = 's3://bucket/hybrid';
let s3: TestS3;
let batch: FakeBatch;
let dir: string;
let env: Record<string, string>;

export const HYBRID_FLOW = `version: 1
name: hybrid
params:
  flaky: { type: integer, default: -1 }
steps:
  prepare:
    run: node scripts/prepare.mjs
    outputs: [data.json]
  fit:
    needs: [prepare]
    foreach: [1, 2, 3, 4]
    executor: batch
    image: ghcr.io/example/flowctl-task:test
    run: node scripts/fit.mjs \${{ item }} \${{ params.flaky }}
    outputs: [model.json]
    retry: 1
  evaluate:
    needs: [fit]
    run: node scripts/evaluate.mjs
    outputs: [report.json]
`;

export const HYBRID_SCRIPTS = {
  'scripts/prepare.mjs': `import { writeFileSync } from 'node:fs';
writeFileSync('data.json', JSON.stringify({ scale: 10, host: process.env.AWS_BATCH_JOB_ID ?? 'local' }));
`,
  'scripts/fit.mjs': `import { readFileSync, writeFileSync } from 'node:fs';
const [item, flaky] = process.argv.slice(2).map(Number);
const data = JSON.parse(readFileSync('data.json', 'utf8'));
console.log('fitting item ' + item + ' attempt ' + process.env.FLOW_ATTEMPT);
if (item === flaky && process.env.FLOW_ATTEMPT === '1') { console.error('flaky failure'); process.exit(3); }
writeFileSync('model.json', JSON.stringify({ item, weight: item * data.scale, job: process.env.AWS_BATCH_JOB_ID }));
`,
  'scripts/evaluate.mjs': `import { readFileSync, writeFileSync } from 'node:fs';
const models = [0, 1, 2, 3].map((i) => JSON.parse(readFileSync('fit/' + i + '/model.json', 'utf8')));
writeFileSync('report.json', JSON.stringify({ total: models.reduce((a, m) => a + m.weight, 0), jobs: models.map((m) => m.job), evaluatedOn: process.env.AWS_BATCH_JOB_ID ?? 'local' }));
`,
};

beforeAll(async () => {
  s3 = await startS3rver();
  dir = await makeProject({ 'flow.yaml': HYBRID_FLOW, ...HYBRID_SCRIPTS });
  env = { ...s3.env(path.join(dir, 'cache')), FLOWCTL_BATCH_POLL_MS: '200', FLOWCTL_BATCH_GATHER_MS: '300', FLOWCTL_LOG_SHIP_MS: '300' };
  batch = await startFakeBatch({ env: s3.env(path.join(dir, 'job-cache')) });
  Object.assign(env, batch.env);
}, 60_000);
afterAll(async () => {
  await batch?.stop();
  await s3?.stop();
});

const cli = (args: string[], extra: Record<string, string> = {}) => flowctl(args, { cwd: dir, env: { ...env, ...extra } });

test('a hybrid flow runs: one array job for the fan-out, artifacts both ways through S3, a flaky child retried', async () => {
  const r = await cli(['run', 'flow.yaml', '--datastore', URL, '--batch-queue', 'fake-queue', '-p', 'flaky=3', '--output', 'plain']);
  expect(r.stderr).toMatch(/run \S+: succeeded/);
  expect(r.exitCode).toBe(0);
  const id = runIdFrom(r);

  // One array job of 4 for the first attempts, one plain job for the retry of item 3 (task 2).
  const submits = await batch.calls('SubmitJob');
  expect(submits.map((c) => c.body.arrayProperties?.size ?? 1)).toEqual([4, 1]);
  expect(submits[0]!.body).toMatchObject({ jobQueue: 'fake-queue', containerOverrides: { command: ['flowctl', 'task', '--datastore', URL, '--array', expect.stringMatching(new RegExp(`^hybrid/${id}/fit-`))] } });
  expect(submits[1]!.body.containerOverrides.command).toEqual(['flowctl', 'task', '--datastore', URL, `hybrid/${id}/fit/2/2`]);
  expect(await batch.calls('RegisterJobDefinition')).toHaveLength(1);

  const store = await freshStore(URL, s3.endpoint, dir);
  const report = await store.readTask('hybrid', id, 'evaluate', '0');
  const bytes = await store.readObject(report!.outputs[0]!.hash);
  const body = JSON.parse(bytes.toString());
  expect(body.total).toBe(100);
  expect(body.evaluatedOn).toBe('local');
  // Each model was written inside its Batch job (child ids `<array>:<i>`; the retried one its own job).
  expect(body.jobs.slice(0, 2)).toEqual([expect.stringMatching(/:0$/), expect.stringMatching(/:1$/)]);
  expect(body.jobs[2]).not.toMatch(/:/);

  const tasks = await Promise.all(['0', '1', '2', '3'].map((t) => store.readTask('hybrid', id, 'fit', t)));
  expect(tasks.map((t) => [t!.state, t!.attempts])).toEqual([['succeeded', 1], ['succeeded', 1], ['succeeded', 2], ['succeeded', 1]]);
  expect(tasks[0]!.jobId).toMatch(/:0$/);
  const a1 = await store.readAttempt('hybrid', id, 'fit', '2', 1);
  expect(a1).toMatchObject({ state: 'failed', exitCode: 3, executor: 'batch', job: { id: expect.stringMatching(/:2$/), arrayIndex: 2 } });
  expect(await store.readAttemptLog('hybrid', id, 'fit', '2', 1, 'stderr')).toBe('flaky failure\n');
  expect(await store.readAttemptLog('hybrid', id, 'fit', '2', 2, 'stdout')).toBe('fitting item 3 attempt 2\n');
  expect((await store.readAttempt('hybrid', id, 'prepare', '0', 1))?.executor).toBe('local');

  // show lists the batch tasks with their job ids; a local step's table has no such column.
  const show = await cli(['show', `hybrid/${id}/fit`, '--datastore', URL]);
  expect(show.exitCode).toBe(0);
  expect(show.stdout).toContain('BATCH JOB');
  for (const t of tasks) expect(show.stdout).toContain(t!.jobId!);
  const local = await cli(['show', `hybrid/${id}/prepare`, '--datastore', URL]);
  expect(local.stdout).not.toContain('BATCH JOB');
  const task = await cli(['show', `hybrid/${id}/fit/2`, '--datastore', URL]);
  expect(task.stdout).toMatch(/batch job\s+\S+/);
  expect(task.stdout).toContain(a1!.job!.id);
}, 180_000);

test('resume of a hybrid run re-submits only the batch task that failed', async () => {
  // Item 3 fails while scripts/fail-3 exists (code edits do not stop resume from cloning).
  const failing = HYBRID_SCRIPTS['scripts/fit.mjs'].replace("const data =", "if (item === 3 && (await import('node:fs')).existsSync('scripts/fail-3')) { console.error('bad item'); process.exit(4); }\nconst data =");
  const flow = HYBRID_FLOW.replace('    retry: 1\n', '');
  const { writeFile, rm } = await import('node:fs/promises');
  await writeFile(path.join(dir, 'resume.yaml'), flow.replace('name: hybrid', 'name: hybrid_resume'));
  await writeFile(path.join(dir, 'scripts/fit.mjs'), failing);
  await writeFile(path.join(dir, 'scripts/fail-3'), '');
  try {
    const first = await cli(['run', 'resume.yaml', '--datastore', URL, '--batch-queue', 'fake-queue']);
    expect(first.exitCode).toBe(1);
    const id = runIdFrom(first);
    await rm(path.join(dir, 'scripts/fail-3'));
    await batch.resetCalls();

    const again = await cli(['resume', id, '--datastore', URL, '--batch-queue', 'fake-queue', '--output', 'plain']);
    expect(again.stderr).toMatch(/run \S+: succeeded/);
    expect(again.exitCode).toBe(0);
    const next = runIdFrom(again);
    const submits = await batch.calls('SubmitJob');
    expect(submits.map((c) => c.body.containerOverrides.command.at(-1))).toEqual([`hybrid_resume/${next}/fit/2/1`]);
    expect(await batch.calls('RegisterJobDefinition')).toHaveLength(0); // the definition is reused
    const store = await freshStore(URL, s3.endpoint, dir);
    for (const t of ['0', '1', '3']) expect(await store.readTask('hybrid_resume', next, 'fit', t)).toMatchObject({ state: 'cached', reuse: 'resume' });
    expect(await store.readTask('hybrid_resume', next, 'fit', '2')).toMatchObject({ state: 'succeeded', jobId: expect.any(String) });
    expect(await store.readTask('hybrid_resume', next, 'evaluate', '0')).toMatchObject({ state: 'succeeded' });
  } finally {
    await writeFile(path.join(dir, 'scripts/fit.mjs'), HYBRID_SCRIPTS['scripts/fit.mjs']);
  }
}, 180_000);
