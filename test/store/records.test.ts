import type { AttemptRecord, RunRecord, TaskRecord } from '../../src/store/records.js';
import { keys } from '../../src/store/records.js';
import { tempStore } from './helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const run = (flow: string, runId: string): RunRecord => ({
  formatVersion: 1, flow, runId, state: 'running', params: { alpha: 0.1, token: '***' }, secretParams: ['token'],
  codeHash: 'c'.repeat(64), specHash: 's'.repeat(64), flowFile: 'flows/train.yaml', user: 'ada', namespace: 'user:ada',
  tags: [], startedAt: new Date().toISOString(), heartbeatAt: new Date().toISOString(), pid: process.pid, host: 'h',
});
const task = (runId: string, step: string, taskId: string): TaskRecord => ({
  formatVersion: 1, runId, step, taskId, state: 'succeeded', itemIndices: [], outputs: [], values: {}, attempts: 1,
});

test('runs, tasks and attempts are written, read and listed in order', async () => {
  const a = await t.store.newRunId('train');
  const b = await t.store.newRunId();
  await t.store.writeRun(run('train', a));
  await t.store.writeRun(run('train', b));
  await t.store.writeRun(run('etl', (await t.store.newRunId('etl'))));
  expect(await t.store.listFlows()).toEqual(['etl', 'train']);
  expect(await t.store.listRuns('train')).toEqual([a, b]);
  expect(await t.store.readRun('train', a)).toMatchObject({ runId: a, params: { token: '***' } });
  expect(await t.store.readRun('train', 'nope')).toBeUndefined();

  for (const id of ['10', '2', '0', '1.10', '1.2']) await t.store.writeTask('train', task(a, 'fit', id));
  await t.store.writeTask('train', task(a, 'prepare', '0'));
  expect(await t.store.listSteps('train', a)).toEqual(['fit', 'prepare']);
  expect(await t.store.listTasks('train', a, 'fit')).toEqual(['0', '1.2', '1.10', '2', '10']);
  expect(await t.store.readTask('train', a, 'fit', '1.10')).toMatchObject({ taskId: '1.10' });

  const attempt = (n: number): AttemptRecord => ({ formatVersion: 1, attempt: n, state: 'failed', exitCode: 1, signal: null, startedAt: '' });
  for (const n of [1, 2, 10]) await t.store.writeAttempt('train', a, 'fit', '0', attempt(n));
  expect(await t.store.listAttempts('train', a, 'fit', '0')).toEqual([1, 2, 10]);
  expect(await t.store.readAttempt('train', a, 'fit', '0', 2)).toMatchObject({ attempt: 2 });
});

test('findRun goes through the runs/<id> index, also for ids claimed without a flow', async () => {
  const a = await t.store.newRunId('train');
  await t.store.writeRun(run('train', a));
  expect(await t.store.findRun(a)).toMatchObject({ flow: 'train', run: { runId: a } });
  const b = await t.store.newRunId();
  expect(await t.backend.kv.get(keys.runIndex(b))).toBe('');
  await t.backend.kv.put(keys.run('etl', b), JSON.stringify(run('etl', b))); // written by hand: index still empty
  expect(await t.store.findRun(b)).toMatchObject({ flow: 'etl' });
  await t.store.writeRun(run('etl', b));
  expect(await t.backend.kv.get(keys.runIndex(b))).toBe('etl');
  expect(await t.store.findRun('20000101T000000.000Z-000000')).toBeUndefined();
});

test('a record that is not JSON is STORE_CORRUPT naming its key', async () => {
  await t.backend.kv.put(keys.run('f', 'r'), '{"torn');
  await expect(t.store.readRun('f', 'r')).rejects.toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining(keys.run('f', 'r')) });
});

test('events append as NDJSON and read back in order', async () => {
  for (let i = 0; i < 5; i++) await t.store.appendEvent('train', 'r1', { type: 'log', i });
  await t.store.appendEvents('train', 'r1', '{"type":"batch","i":5}\n{"type":"batch","i":6}\n');
  await t.backend.kv.append(keys.events('train', 'r1'), '{"type":"tor'); // a writer mid-line
  const events = await t.store.readEvents<{ i: number }>('train', 'r1');
  expect(events.map((e) => e.i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
});
