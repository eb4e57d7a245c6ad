/**
 * The client API over a store with damaged records: listings yield damaged runs and tasks
 * (state `damaged`, `error` naming the file) instead of failing whole; asking for that one run
 * or task throws STORE_CORRUPT naming it; everything beside it reads as before.
 */
import { Flow, Run, type FlowctlError } from '../../src/index.js';
import { keys, type AttemptRecord, type RunRecord, type TaskRecord } from '../../src/store/records.js';
import { tempStore } from '../store/helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
let ids: string[];
const opts = () => ({ store: t.store, namespace: 'user:ada' });

const run = (runId: string, extra: Partial<RunRecord> = {}): RunRecord => ({
  formatVersion: 1, flow: 'train', runId, state: 'succeeded', params: { a: 1 }, secretParams: [], codeHash: 'c'.repeat(64), specHash: 's'.repeat(64),
  flowFile: 'flow.yaml', user: 'ada', namespace: 'user:ada', tags: [], startedAt: '2026-11-30T10:00:00.000Z', finishedAt: '2026-11-30T10:00:05.000Z',
  heartbeatAt: '2026-11-30T10:00:05.000Z', pid: 1, host: 'h', ...extra,
});
const task = (runId: string, taskId: string): TaskRecord => ({
  formatVersion: 1, runId, step: 'fit', taskId, state: 'succeeded', item: Number(taskId), itemIndices: [Number(taskId)], outputs: [], values: { fold: Number(taskId) }, attempts: 1,
});
const attempt: AttemptRecord = { formatVersion: 1, attempt: 1, state: 'succeeded', exitCode: 0, signal: null, startedAt: '2026-11-30T10:00:01.000Z' };

beforeEach(async () => {
  t = await tempStore();
  ids = [];
  for (let i = 0; i < 3; i++) {
    const id = await t.store.newRunId('train');
    ids.push(id);
    await t.store.writeRun(run(id));
    for (const taskId of ['0', '1', '2']) {
      await t.store.writeTask('train', task(id, taskId));
      await t.store.writeAttempt('train', id, 'fit', taskId, attempt);
    }
  }
});
afterEach(async () => {
  await t.cleanup();
});

async function rejects(p: Promise<unknown>): Promise<FlowctlError> {
  try {
    await p;
  } catch (e) {
    return e as FlowctlError;
  }
  throw new Error('expected a rejection');
}

test.each([
  ['truncated', '{"formatVersion": 1, "flow": "tr'],
  ['empty', ''],
  ['a JSON array', '[]'],
  ['missing fields', '{"flow": "train"}'],
  ['binary garbage', '\u0000\u00ff\u00fe\u0013garbage'],
])('a run.json that is %s: runs() lists it as damaged, in every namespace; Run.get throws naming the file', async (_, text) => {
  const [a, b, c] = ids as [string, string, string];
  await t.backend.kv.put(keys.run('train', b), text);
  const runs = await new Flow('train', opts()).runs();
  expect(runs.map((r) => [r.id, r.state])).toEqual([[c, 'succeeded'], [b, 'damaged'], [a, 'succeeded']]);
  const damaged = runs[1]!;
  expect(damaged.damage).toMatchObject({ code: 'STORE_CORRUPT', key: keys.run('train', b) });
  expect(damaged.toJSON()).toMatchObject({
    pathspec: `train/${b}`, runId: b, state: 'damaged', user: null, namespace: null, startedAt: null, params: {}, tags: [],
    error: expect.stringContaining(`${keys.run('train', b)} is damaged: `),
  });
  // Its namespace is unknown: it shows in every namespace, and to a `damaged` status filter only.
  expect((await new Flow('train', { store: t.store, namespace: 'user:someone-else' }).runs()).map((r) => r.id)).toEqual([b]);
  expect((await new Flow('train', opts()).runs({ status: 'damaged' })).map((r) => r.id)).toEqual([b]);
  expect((await new Flow('train', opts()).runs({ status: 'succeeded' })).map((r) => r.id)).toEqual([c, a]);

  const err = await rejects(Run.get(b, opts()));
  expect(err).toMatchObject({ code: 'STORE_CORRUPT', message: expect.stringContaining(keys.run('train', b)) });
  await expect(Run.get(`train/${b}`, opts())).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  // The runs beside it read as before.
  expect((await Run.get(a, opts())).state).toBe('succeeded');
  expect((await (await Run.get(c, opts())).step('fit').tasks()).map((x) => x.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
});

test('the latest run damaged: latestRun() yields it, FLOW/latest throws naming it, latestSuccessfulRun() skips it', async () => {
  const last = ids[2]!;
  await t.backend.kv.put(keys.run('train', last), '{');
  expect((await new Flow('train', opts()).latestRun()).state).toBe('damaged');
  await expect(Run.get('train/latest', opts())).rejects.toMatchObject({ code: 'STORE_CORRUPT', key: keys.run('train', last) });
  expect((await new Flow('train', opts()).latestSuccessfulRun()).id).toBe(ids[1]);
});

test('a damaged tags file makes its run damaged, with what run.json says still known', async () => {
  const b = ids[1]!;
  await t.backend.kv.put(`flows/train/tags/${b}.json`, '{"added": "best"}');
  const listed = (await new Flow('train', opts()).runs()).find((r) => r.id === b)!;
  expect(listed.toJSON()).toMatchObject({ state: 'damaged', user: 'ada', namespace: 'user:ada', error: expect.stringContaining(`flows/train/tags/${b}.json is damaged: added is not a list of tags`) });
  await expect(Run.get(b, opts())).rejects.toMatchObject({ code: 'STORE_CORRUPT', key: `flows/train/tags/${b}.json` });
  // In its own namespace only, as its run.json says.
  expect((await new Flow('train', { store: t.store, namespace: 'user:other' }).runs()).map((r) => r.id)).toEqual([]);
});

test('a damaged task.json: step.tasks() yields it as damaged, task.load() throws, its logs still read, the step says damaged', async () => {
  const id = ids[0]!;
  await t.backend.kv.put(keys.task('train', id, 'fit', '1'), '{"runId": "oops"');
  await t.backend.kv.put(keys.attemptLog('train', id, 'fit', '1', 1, 'stdout'), 'fold 1 log\n');
  const r = await Run.get(id, opts());
  const tasks = await r.step('fit').tasks();
  expect(tasks.map((x) => [x.id, x.state])).toEqual([['0', 'succeeded'], ['1', 'damaged'], ['2', 'succeeded']]);
  expect(tasks[1]!.toJSON()).toMatchObject({ state: 'damaged', values: {}, outputs: [], attempts: 1, error: expect.stringContaining(`${keys.task('train', id, 'fit', '1')} is damaged: not valid JSON`) });
  expect(tasks[0]!.toJSON()).toMatchObject({ state: 'succeeded', values: { fold: 0 }, error: null });
  await expect(r.step('fit').task(1).load()).rejects.toMatchObject({ code: 'STORE_CORRUPT', key: keys.task('train', id, 'fit', '1') });
  await expect(r.step('fit').task(1).artifact('model.json').info()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  expect(await tasks[1]!.logs()).toBe('fold 1 log\n');
  expect(await r.step('fit').summary()).toMatchObject({ state: 'damaged', tasks: 3, counts: { succeeded: 2, damaged: 1 } });
});

test('a damaged attempt.json: the attempt is damaged, its task and the task\'s other attempts are not', async () => {
  const id = ids[0]!;
  await t.store.writeAttempt('train', id, 'fit', '2', { ...attempt, attempt: 2 });
  await t.backend.kv.put(keys.attempt('train', id, 'fit', '2', 1), '\u0000\u0001');
  const tk = await (await Run.get(id, opts())).step('fit').task(2).load();
  expect(tk.state).toBe('succeeded');
  const attempts = await tk.attempts();
  expect(attempts.map((a) => a.toJSON()).map((a) => [a.attempt, a.state, a.error && a.error.includes(keys.attempt('train', id, 'fit', '2', 1))])).toEqual([[1, 'damaged', true], [2, 'succeeded', null]]);
});
