/**
 * Damaged records at the store level: truncated, empty, binary, `[]`/`null`, valid JSON of
 * the wrong shape, or a record filed under another run. Reading one throws STORE_CORRUPT
 * naming the key and what is wrong (never a TypeError later); cache lookups and resume treat
 * it as absent; a damaged `runs/` index or events line never hides a run.
 */
import { keys, type AttemptRecord, type RunRecord, type TaskRecord } from '../../src/store/records.js';
import { TaskReuse } from '../../src/runtime/reuse.js';
import { tempStore } from './helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const run = (flow: string, runId: string): RunRecord => ({
  formatVersion: 1, flow, runId, state: 'succeeded', params: { a: 1 }, secretParams: [], codeHash: 'c'.repeat(64), specHash: 's'.repeat(64),
  flowFile: 'flow.yaml', user: 'ada', namespace: 'user:ada', tags: [], startedAt: new Date().toISOString(), heartbeatAt: new Date().toISOString(), pid: 1, host: 'h',
});
const task = (runId: string, step: string, taskId: string, extra: Partial<TaskRecord> = {}): TaskRecord => ({
  formatVersion: 1, runId, step, taskId, state: 'succeeded', itemIndices: [], outputs: [], values: {}, attempts: 1, ...extra,
});
const attempt: AttemptRecord = { formatVersion: 1, attempt: 1, state: 'succeeded', exitCode: 0, signal: null, startedAt: new Date().toISOString() };

/** Ways a record file gets damaged, from the record's good text (and a field it needs), with the reason expected. */
const DAMAGE: Array<[string, (good: string, field: string) => string | Buffer, RegExp]> = [
  ['truncated', (g) => g.slice(0, Math.floor(g.length / 2)), /not valid JSON/],
  ['empty', () => '', /the file is empty/],
  ['whitespace', () => '\n  \n', /the file is empty/],
  ['a JSON array', () => '[]', /a JSON array, not an object/],
  ['JSON null', () => 'null', /a JSON null, not an object/],
  ['a JSON string', () => '"run"', /a JSON string, not an object/],
  ['binary garbage', () => Buffer.from([0x00, 0xff, 0xfe, 0x13, 0x37, 0x00, 0x9c]), /not text \(binary content\)|not valid JSON/],
  ['a field missing', (g, f) => JSON.stringify({ ...JSON.parse(g), [f]: undefined }), /state is missing/],
  ['a field of the wrong type', (g, f) => JSON.stringify({ ...JSON.parse(g), [f]: 42 }), /state is not a/],
];

describe.each(DAMAGE)('a record that is %s', (_, damage, reason) => {
  test('run.json, task.json and attempt.json read as STORE_CORRUPT naming the key and the reason', async () => {
    const cases: Array<[string, object, () => Promise<unknown>]> = [
      [keys.run('f', 'r1'), run('f', 'r1'), () => t.store.readRun('f', 'r1')],
      [keys.task('f', 'r1', 'fit', '2'), task('r1', 'fit', '2'), () => t.store.readTask('f', 'r1', 'fit', '2')],
      [keys.attempt('f', 'r1', 'fit', '2', 1), attempt, () => t.store.readAttempt('f', 'r1', 'fit', '2', 1)],
    ];
    for (const [key, good, read] of cases) {
      await t.backend.kv.put(key, damage(JSON.stringify(good, null, 2), 'state'));
      await expect(read()).rejects.toMatchObject({ code: 'STORE_CORRUPT', exitCode: 1, key, reason: expect.stringMatching(reason), message: expect.stringContaining(`${key} is damaged: `) });
    }
  });

  test('a cache entry, or the task it points at, is a cache miss; a damaged origin task is not cloned', async () => {
    await t.store.writeTask('f', task('r1', 'fit', '0', { cacheKey: 'k'.repeat(64), cloneKey: 'clone' }));
    const reuse = new TaskReuse(t.store, 'f');
    await reuse.remember('k'.repeat(64), 'r1', 'fit', '0');
    expect(await reuse.fromCache('k'.repeat(64))).toMatchObject({ taskId: '0' }); // intact: a hit
    expect(await reuse.fromOrigin('r1', 'fit', '0', 'clone')).toMatchObject({ taskId: '0' });

    const entry = keys.cacheEntry('k'.repeat(64));
    await t.backend.kv.put(entry, damage(JSON.stringify({ flow: 'f', runId: 'r1', step: 'fit', taskId: '0' }), 'runId'));
    expect(await reuse.fromCache('k'.repeat(64))).toBeUndefined();

    await reuse.remember('k'.repeat(64), 'r1', 'fit', '0');
    await t.backend.kv.put(keys.task('f', 'r1', 'fit', '0'), damage(JSON.stringify(task('r1', 'fit', '0', { cacheKey: 'k'.repeat(64), cloneKey: 'clone' })), 'outputs'));
    expect(await reuse.fromCache('k'.repeat(64))).toBeUndefined();
    expect(await reuse.fromOrigin('r1', 'fit', '0', 'clone')).toBeUndefined();
  });
});

test('records filed under another run, step or task are damaged (a copied file)', async () => {
  await t.backend.kv.put(keys.run('f', 'r2'), JSON.stringify(run('f', 'r1')));
  await expect(t.store.readRun('f', 'r2')).rejects.toMatchObject({ code: 'STORE_CORRUPT', reason: "runId is not 'r2' (the run it is filed under)" });
  await t.backend.kv.put(keys.run('g', 'r1'), JSON.stringify(run('f', 'r1')));
  await expect(t.store.readRun('g', 'r1')).rejects.toMatchObject({ reason: "flow is not 'g' (the flow it is filed under)" });
  await t.backend.kv.put(keys.task('f', 'r1', 'fit', '3'), JSON.stringify(task('r1', 'fit', '2')));
  await expect(t.store.readTask('f', 'r1', 'fit', '3')).rejects.toMatchObject({ reason: "taskId is not '3' (the task it is filed under)" });
});

test('outputs and references that would lead a reader astray are damage, not paths to follow', async () => {
  const bad: Array<[Partial<TaskRecord>, RegExp]> = [
    [{ outputs: [{ path: 'm.json', type: 'file', hash: '../../etc/passwd', size: 1 }] }, /outputs is not/],
    [{ outputs: [{ path: 'm.json', type: 'link' as 'file', hash: 'a'.repeat(64), size: 1 }] }, /outputs is not/],
    [{ cachedFrom: { runId: '..', step: 'fit', taskId: '0' } }, /cachedFrom is not/],
    [{ values: [] as unknown as Record<string, unknown> }, /values is not an object/],
  ];
  for (const [extra, reason] of bad) {
    await t.backend.kv.put(keys.task('f', 'r1', 'fit', '0'), JSON.stringify(task('r1', 'fit', '0', extra)));
    await expect(t.store.readTask('f', 'r1', 'fit', '0')).rejects.toMatchObject({ code: 'STORE_CORRUPT', reason: expect.stringMatching(reason) });
  }
});

test('a damaged runs/<id> index entry does not hide the run; a damaged run.json is reported, not missed', async () => {
  const id = await t.store.newRunId('f');
  await t.store.writeRun(run('f', id));
  for (const index of ['\0\xff garbage', '../../x', 'other-flow', '', 'f/../g']) {
    await t.backend.kv.put(keys.runIndex(id), index);
    expect(await t.store.findRun(id)).toMatchObject({ flow: 'f', run: { runId: id } });
  }
  await t.cleanup();
  t = await tempStore();
  await t.backend.kv.put(keys.run('f', id), JSON.stringify(run('f', id))); // no index entry at all
  expect(await t.backend.kv.get(keys.runIndex(id))).toBeUndefined();
  expect(await t.store.findRun(id)).toMatchObject({ flow: 'f', run: { runId: id } });
  expect(await t.store.findRun('20000101T000000.000Z-000000')).toBeUndefined();
  await t.backend.kv.put(keys.runIndex(id), 'f');
  await t.backend.kv.put(keys.run('f', id), '{"flow": "f", "ru');
  await expect(t.store.findRun(id)).rejects.toMatchObject({ code: 'STORE_CORRUPT', key: keys.run('f', id) });
  await t.backend.kv.put(keys.runIndex(id), 'f');
  await expect(t.store.findRun(id)).rejects.toMatchObject({ code: 'STORE_CORRUPT', key: keys.run('f', id) });
});

test('damaged lines of events.ndjson are left out; the others read in order', async () => {
  const key = keys.events('f', 'r1');
  await t.backend.kv.append(key, '{"type":"run-started","i":0}\n[]\nnull\n"x"\n7\n{"i":1}\n\u0000\u00ff\n{"type":"log","i":2}\n{"type":"tor');
  expect((await t.store.readEvents<{ i: number }>('f', 'r1')).map((e) => e.i)).toEqual([0, 1, 2]);
});

test('every state a writer records reads back intact (a record is never damaged for a state it was written with)', async () => {
  const runStates: RunRecord['state'][] = ['running', 'succeeded', 'failed', 'interrupted'];
  const taskStates: TaskRecord['state'][] = ['pending', 'running', 'succeeded', 'failed', 'interrupted', 'skipped', 'cached'];
  const attemptStates: AttemptRecord['state'][] = ['running', 'succeeded', 'failed', 'timeout', 'interrupted'];
  for (const state of runStates) {
    await t.store.writeRun({ ...run('f', `r-${state}`), state });
    expect((await t.store.readRun('f', `r-${state}`))?.state).toBe(state);
  }
  for (const state of taskStates) {
    await t.store.writeTask('f', task('r', 's', state, { state }));
    expect((await t.store.readTask('f', 'r', 's', state))?.state).toBe(state);
  }
  for (const [i, state] of attemptStates.entries()) {
    await t.store.writeAttempt('f', 'r', 's', '0', { ...attempt, attempt: i + 1, state });
    expect((await t.store.readAttempt('f', 'r', 's', '0', i + 1))?.state).toBe(state);
  }
});
