/** The client API, in process, over a real run of flows/train.yaml (and a second, tagged run). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Flow, Run, datastore, getNamespace, listFlows, namespace, type FlowctlError } from '../../src/index.js';
import { runFlow, StoreReader, trainProject } from '../show/helpers.js';
import { tempDir } from '../helpers/tmp.js';

let cwd: string;
let first: string;
let second: string;
let s: StoreReader;

beforeAll(async () => {
  cwd = await trainProject();
  first = (await runFlow(cwd, 'train.yaml', ['--param', 'epochs=10'])).id;
  second = (await runFlow(cwd, 'train.yaml', ['--param', 'epochs=10', '--param', 'folds=2', '--tag', 'small'])).id;
  s = StoreReader.of(cwd);
}, 120000);

beforeEach(() => {
  namespace('user:tester');
  datastore(path.join(cwd, '.flowctl'));
});

afterAll(() => {
  namespace(null);
  datastore(null);
});

async function rejects(p: Promise<unknown>): Promise<FlowctlError> {
  try {
    await p;
  } catch (e) {
    return e as FlowctlError;
  }
  throw new Error('expected a rejection');
}

test('the README example: latest successful run → step → task → artifact → json', async () => {
  const run = await new Flow('train').latestSuccessfulRun();
  expect(run.id).toBe(second);
  const m = await run.step('fit').task(0).artifact('metrics.json').json<{ fold: number; accuracy: number }>();
  expect(m).toEqual(JSON.parse(await s.output('train', second, 'fit', '0', 'metrics.json')));
});

test('runs() most recent first, with status, tag and limit; Run.get by id, FLOW/ID and FLOW/latest', async () => {
  const flow = new Flow('train');
  expect((await flow.runs()).map((r) => r.id)).toEqual([second, first]);
  expect((await flow.runs({ tag: 'small' })).map((r) => r.id)).toEqual([second]);
  expect((await flow.runs({ status: ['failed', 'dead'] })).map((r) => r.id)).toEqual([]);
  expect((await flow.runs({ limit: 1 })).map((r) => r.id)).toEqual([second]);
  const byId = await Run.get(first);
  expect(byId).toMatchObject({ id: first, flow: 'train', state: 'succeeded', successful: true, finished: true, stale: false, user: 'tester' });
  expect(byId.params).toMatchObject({ epochs: 10, folds: 3 });
  expect(byId.durationMs).toBeGreaterThan(0);
  expect((await Run.get(`train/${first}`)).pathspec).toBe(`train/${first}`);
  expect((await Run.get('train/latest')).id).toBe(second);
  expect((await flow.run(first)).id).toBe(first);
  expect((await listFlows()).map((f) => f.name)).toEqual(['train']);
  expect(JSON.parse(JSON.stringify(byId))).toMatchObject({ runId: first, tags: [], originRunId: null });
});

test('steps in flow order, tasks loaded with values, items and outputs', async () => {
  const run = await Run.get(second);
  expect((await run.steps()).map((st) => st.name)).toEqual(['prepare', 'split', 'fit', 'evaluate']);
  const tasks = await run.step('fit').tasks();
  expect(tasks.map((t) => [t.id, t.item, t.state, t.attemptCount])).toEqual([['0', 0, 'succeeded', 1], ['1', 1, 'succeeded', 1]]);
  expect(tasks[1]!.values).toEqual((await s.task('train', second, 'fit', '1')).values);
  expect(tasks[0]!.outputs.map((o) => o.path)).toEqual(['model.json', 'metrics.json']);
  const split = await run.step('split').task('0').load();
  expect(split.values).toMatchObject({ folds: [0, 1] });
  expect(await run.step('fit').summary()).toMatchObject({ step: 'fit', state: 'succeeded', tasks: 2, counts: { succeeded: 2 } });
});

test('task logs per attempt and stream; attempts with their records', async () => {
  const task = (await Run.get(first)).step('fit').task(2);
  expect(await task.logs()).toBe(await s.log('train', first, 'fit', '2'));
  expect(await task.logs({ attempt: 1, stream: 'stderr' })).toBe(await s.log('train', first, 'fit', '2', 1, 'stderr'));
  const [a] = await task.attempts();
  expect(a!.toJSON()).toMatchObject({ attempt: 1, state: 'succeeded', exitCode: 0 });
  const chunks: Buffer[] = [];
  for await (const c of a!.logStream('stdout')) chunks.push(c as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe(await s.log('train', first, 'fit', '2'));
});

test('artifact text, bytes, stream, info and saveTo', async () => {
  const art = (await Run.get(second)).step('evaluate').task(0).artifact('report.md');
  const expected = await s.output('train', second, 'evaluate', '0', 'report.md');
  expect(await art.text()).toBe(expected);
  expect((await art.bytes()).toString()).toBe(expected);
  const chunks: Buffer[] = [];
  for await (const c of art.stream()) chunks.push(c as Buffer);
  expect(Buffer.concat(chunks).toString()).toBe(expected);
  expect(await art.info()).toMatchObject({ path: 'report.md', type: 'file', size: Buffer.byteLength(expected), files: null });
  const dir = await tempDir('flowctl-save-');
  expect(await art.saveTo(dir)).toMatchObject({ path: path.join(dir, 'report.md'), files: 1 });
  expect(await readFile(path.join(dir, 'report.md'), 'utf8')).toBe(expected);
  expect((await rejects(art.saveTo(dir))).code).toBe('FILE_EXISTS');
  await art.saveTo(dir, { overwrite: true });
  expect((await rejects(art.json())).code).toBe('ARTIFACT_NOT_JSON');
});

test('errors: NOT_FOUND naming what exists, NOT_LOADED for an unloaded task', async () => {
  const run = await Run.get(second);
  const step = await rejects(run.step('fitt').tasks());
  expect(step).toMatchObject({ code: 'NOT_FOUND', exitCode: 2 });
  expect(step.message).toBe(`Run train/${second} has no step 'fitt'; steps: prepare, split, fit, evaluate (did you mean 'fit'?)`);
  expect((await rejects(run.step('fit').task(5).load())).message).toMatch(/has no task '5'; tasks: 0, 1$/);
  expect((await rejects(run.step('fit').task(0).artifact('model.jsn').bytes())).message).toMatch(/did you mean 'model\.json'/);
  expect((await rejects(new Flow('trains').runs())).message).toMatch(/No flow 'trains' .*; flows: train \(did you mean 'train'\?\)/);
  expect((await rejects(Run.get('train/latest/fit'))).code).toBe('BAD_PATHSPEC');
  expect(() => run.step('fit').task(0).values).toThrow(expect.objectContaining({ code: 'NOT_LOADED' }));
});

test('namespace() scopes listings and lookups; namespace(null) sees all; options override', async () => {
  expect(getNamespace()).toBe('user:tester');
  namespace('user:someone-else');
  expect(await new Flow('train').runs()).toEqual([]);
  expect((await rejects(new Flow('train').latestRun())).message).toMatch(/Flow train has no runs in namespace user:someone-else/);
  expect((await rejects(Run.get(first))).code).toBe('NAMESPACE_MISMATCH');
  expect((await new Flow('train', { namespace: null }).runs()).length).toBe(2);
  namespace(null);
  expect((await Run.get(first)).id).toBe(first);
  datastore(null);
  expect((await new Flow('train', { cwd: path.join(cwd, 'scripts') }).runs()).length).toBe(2);
  expect((await rejects(new Flow('train', { datastore: path.join(cwd, 'nope') }).runs())).code).toBe('STORE_NOT_FOUND');
});

test('tags through the API: addTags/removeTags return the run with its new tags', async () => {
  const run = await Run.get(first);
  const tagged = await run.addTags('keep', 'v1');
  expect(tagged.tags).toEqual(['keep', 'v1']);
  expect((await tagged.removeTags('v1')).tags).toEqual(['keep']);
  expect((await Run.get(first)).tags).toEqual(['keep']);
  expect((await new Flow('train').runs({ tag: 'keep' })).map((r) => r.id)).toEqual([first]);
  expect((await rejects(run.addTags('a b'))).code).toBe('BAD_TAG');
});
