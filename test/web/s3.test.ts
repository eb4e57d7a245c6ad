/** `flowctl ui` and `flowctl report` over an S3 store (a real s3rver), read from a machine with an empty cache. */
import { mkdtemp, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { flowctl, runIdFrom } from '../helpers/cli.js';
import { startS3rver, type TestS3 } from '../s3/s3rver.js';
import { demoProject, getJson, readSse, removeAll, startUi, type UiProcess } from './helpers.js';

const URL = 's3://bucket/ui/flowctl';
let s3: TestS3;
let cwd: string;
let ok: string;
let failed: string;
let ui: UiProcess;
/** Caches live outside the project: inside it they would be part of its code (and of every cache key). */
let caches: string;

beforeAll(async () => {
  s3 = await startS3rver();
  cwd = await demoProject();
  caches = await mkdtemp(path.join(os.tmpdir(), 'flowctl-ui-s3-'));
  const env = s3.env(path.join(caches, 'run'));
  ok = runIdFrom(await flowctl(['run', 'demo.yaml', '--datastore', URL], { cwd, env }));
  failed = runIdFrom(await flowctl(['run', 'demo.yaml', '--datastore', URL, '-p', 'fail=true'], { cwd, env }));
  ui = await startUi(cwd, ['--datastore', URL], s3.env(path.join(caches, 'ui')));
}, 120_000);

afterAll(async () => {
  await ui?.stop();
  await s3?.stop();
  await removeAll([cwd, caches]);
});

const api = (p: string) => `${ui.origin}${p}`;

test('runs, a run with its failure\'s last lines, a task, artifacts and logs come from the bucket', async () => {
  expect((await getJson(api('/api/config'))).body.datastore).toBe(URL);
  expect((await getJson(api('/api/flows/demo/runs'))).body.runs.map((r: { runId: string }) => r.runId)).toEqual([failed, ok]);
  const snap = (await getJson(api(`/api/runs/demo/${failed}`))).body;
  expect(snap.steps.map((s: { step: string; state: string }) => [s.step, s.state])).toEqual([['prepare', 'cached'], ['fit', 'cached'], ['wait', 'cached'], ['check', 'failed']]);
  expect(snap.failures[0]).toMatchObject({ step: 'check', lastLines: ['check failed: auc too low'] });
  const task = (await getJson(api(`/api/runs/demo/${ok}/steps/prepare/tasks/0`))).body;
  expect(task.attempts).toEqual([expect.objectContaining({ exitCode: 0 })]);
  const q = `flow=demo&run=${ok}&step=prepare&task=0`;
  const table = (await getJson(api(`/api/artifact/table?${q}&path=data.csv`))).body;
  expect(table).toMatchObject({ columns: ['id', 'name', 'score'], truncated: true });
  expect(table.rows).toHaveLength(1000);
  const png = Buffer.from(await (await fetch(api(`/api/artifact/raw?${q}&path=plot.png`))).arrayBuffer());
  expect(png.subarray(1, 4).toString()).toBe('PNG');
  const log = await readSse(api(`/api/logs/live?${q}`), (e) => e.event === 'end');
  expect(log.filter((e) => e.event === 'data').map((e) => e.data.text).join('')).toBe('made 1500 rows\n');
  expect(log.at(-1)!.data).toMatchObject({ reason: 'task-finished', state: 'succeeded' });
});

test('a report from the bucket', async () => {
  const file = path.join(cwd, 'r.html');
  const r = await flowctl(['report', `demo/${failed}`, '--datastore', URL, '-o', file], { cwd, env: s3.env(path.join(caches, 'report')) });
  expect(r.exitCode).toBe(0);
  const html = await readFile(file, 'utf8');
  expect(html).toContain('check failed: auc too low');
  expect(html).toContain(`"runId":"${failed}"`);
});
