/** Every `flowctl show` form, text and --json, over a real run of flows/train.yaml. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, json, keysOf, runFlow, SHAPES, sorted, STACK, StoreReader, trainProject } from './helpers.js';

let cwd: string;
let id: string;
let store: StoreReader;

beforeAll(async () => {
  cwd = await trainProject();
  const { id: runId, r } = await runFlow(cwd, 'train.yaml', ['--param', 'epochs=20', '--tag', 'nightly']);
  expect(r.exitCode).toBe(0);
  id = runId;
  store = StoreReader.of(cwd);
}, 120000);

describe('show (flows)', () => {
  test('text: one row per flow with its latest run', async () => {
    const r = await flowctl(['show'], { cwd });
    expect(r.exitCode).toBe(0);
    const [header, row] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^FLOW\s+LATEST RUN\s+STATE\s+STARTED\s+DURATION\s+USER$/);
    expect(row).toMatch(new RegExp(`^train\\s+${escape(id)}\\s+succeeded\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\s+\\S+\\s+tester$`));
    expect(r.stdout).not.toMatch(/\u001b\[/); // no colours when not a TTY
  });

  test('json: { kind: flows, namespace, flows: [{ flow, latestRun }] }', async () => {
    const v = await json(['show'], cwd);
    expect(v).toMatchObject({ kind: 'flows', namespace: 'user:tester', flows: [{ flow: 'train', latestRun: { runId: id, state: 'succeeded' } }] });
    expect(keysOf(v.flows[0].latestRun)).toEqual(sorted(SHAPES.run));
  });
});

describe('show FLOW', () => {
  test('text: runs with state, start, duration, user, tags, origin', async () => {
    const r = await flowctl(['show', 'train'], { cwd });
    expect(r.exitCode).toBe(0);
    const [header, row] = r.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^RUN\s+STATE\s+STARTED\s+DURATION\s+USER\s+TAGS\s+ORIGIN$/);
    expect(row).toMatch(new RegExp(`^${escape(id)}\\s+succeeded\\s+\\S+ \\S+\\s+\\S+\\s+tester\\s+nightly\\s+-$`));
  });

  test('json: { kind: runs, flow, namespace, runs }, with the run record fields', async () => {
    const v = await json(['show', 'train'], cwd);
    expect(v).toMatchObject({ kind: 'runs', flow: 'train', namespace: 'user:tester' });
    expect(v.runs).toHaveLength(1);
    const run = v.runs[0];
    expect(keysOf(run)).toEqual(sorted(SHAPES.run));
    expect(run).toMatchObject({
      pathspec: `train/${id}`, runId: id, state: 'succeeded', stale: false, user: 'tester', namespace: 'user:tester', tags: ['nightly'],
      originRunId: null, params: { epochs: 20, folds: 3 }, taskCounts: { succeeded: 6 }, error: null, flowFile: 'train.yaml',
    });
    expect(run.durationMs).toBeGreaterThan(0);
    expect(run.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('--status, --tag and --limit filter; nothing matching prints a note on stderr', async () => {
    expect((await json(['show', 'train', '--status', 'succeeded', '--tag', 'nightly', '--limit', '1'], cwd)).runs).toHaveLength(1);
    expect((await json(['show', 'train', '--status', 'failed'], cwd)).runs).toEqual([]);
    const r = await flowctl(['show', 'train', '--tag', 'nope'], { cwd });
    expect(r).toMatchObject({ exitCode: 0, stdout: '' });
    expect(r.stderr).toMatch(/No runs of train matching the filters in namespace user:tester/);
  });
});

describe('show RUN', () => {
  test('RUN_ID, FLOW/RUN_ID and FLOW/latest name the same run', async () => {
    const a = await json(['show', id], cwd);
    expect(await json(['show', `train/${id}`], cwd)).toEqual(a);
    expect(await json(['show', 'train/latest/'], cwd)).toMatchObject({ run: { runId: id } });
  });

  test('text: the record, params, then steps in flow order with task counts', async () => {
    const r = await flowctl(['show', 'train/latest'], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^run\\s+train/${escape(id)}$`, 'm'));
    expect(r.stdout).toMatch(/^state\s+succeeded$/m);
    expect(r.stdout).toMatch(/^namespace\s+user:tester$/m);
    expect(r.stdout).toMatch(/^tags\s+nightly$/m);
    expect(r.stdout).toMatch(/^code\s+[0-9a-f]{64}$/m);
    expect(r.stdout).toMatch(/^params\n(  \w+\s+\S+\n)*  epochs\s+20$/m);
    const steps = r.stdout.slice(r.stdout.indexOf('\nSTEP')).trim().split('\n');
    expect(steps[0]).toMatch(/^STEP\s+STATE\s+TASKS\s+COUNTS\s+STARTED\s+DURATION$/);
    expect(steps.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ['prepare', 'succeeded', '1'], ['split', 'succeeded', '1'], ['fit', 'succeeded', '3'], ['evaluate', 'succeeded', '1'],
    ]);
  });

  test('json: { kind: run, run, steps }', async () => {
    const v = await json(['show', id], cwd);
    expect(v.kind).toBe('run');
    expect(keysOf(v.run)).toEqual(sorted(SHAPES.run));
    expect(v.steps.map((s: any) => [s.step, s.state, s.tasks, s.counts])).toEqual([
      ['prepare', 'succeeded', 1, { succeeded: 1 }], ['split', 'succeeded', 1, { succeeded: 1 }],
      ['fit', 'succeeded', 3, { succeeded: 3 }], ['evaluate', 'succeeded', 1, { succeeded: 1 }],
    ]);
    for (const s of v.steps) expect(keysOf(s)).toEqual(sorted(SHAPES.step));
  });
});

describe('show RUN/STEP', () => {
  test('text: one row per task with item, state, attempts', async () => {
    const r = await flowctl(['show', `${id}/fit`], { cwd });
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TASK\s+ITEM\s+STATE\s+ATTEMPTS\s+STARTED\s+DURATION\s+CACHED FROM\s+REASON$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([['0', '0', 'succeeded', '1'], ['1', '1', 'succeeded', '1'], ['2', '2', 'succeeded', '1']]);
  });

  test('json: { kind: step, run, step, tasks }', async () => {
    const v = await json(['show', `train/latest/fit`], cwd);
    expect(v).toMatchObject({ kind: 'step', run: { runId: id }, step: { step: 'fit', state: 'succeeded', tasks: 3 } });
    expect(v.tasks.map((t: any) => [t.taskId, t.item, t.itemIndices, t.state])).toEqual([['0', 0, [0], 'succeeded'], ['1', 1, [1], 'succeeded'], ['2', 2, [2], 'succeeded']]);
    for (const t of v.tasks) expect(keysOf(t)).toEqual(sorted(SHAPES.task));
    const single = await json(['show', `${id}/prepare`], cwd);
    expect(single.tasks[0]).toMatchObject({ taskId: '0', item: null, itemIndices: [] });
  });
});

describe('show RUN/STEP/TASK', () => {
  test('text: fields, attempts, outputs with size and sha256, values', async () => {
    const r = await flowctl(['show', `${id}/fit/1`], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^task\\s+train/${escape(id)}/fit/1$`, 'm'));
    expect(r.stdout).toMatch(/^item\s+1$/m);
    expect(r.stdout).toMatch(/^command\s+node scripts\/fit\.mjs --fold 1 --lr 0\.5 --epochs 20$/m);
    expect(r.stdout).toMatch(/^ATTEMPT\s+STATE\s+EXIT\s+STARTED\s+DURATION\s+REASON\n\s+1\s+succeeded\s+0\s/m);
    const task = await store.task('train', id, 'fit', '1');
    const metrics = task.outputs.find((o: any) => o.path === 'metrics.json');
    expect(r.stdout).toMatch(/^OUTPUT\s+TYPE\s+SIZE\s+SHA256$/m);
    expect(r.stdout).toMatch(new RegExp(`^metrics\\.json\\s+file\\s+${metrics.size} B\\s+${metrics.hash.slice(0, 12)}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^accuracy\\s+${task.values.accuracy}$`, 'm'));
  });

  test('json: { kind: task, run, task, attempts }', async () => {
    const v = await json(['show', `${id}/fit/1`], cwd);
    const task = await store.task('train', id, 'fit', '1');
    expect(v.kind).toBe('task');
    expect(keysOf(v.task)).toEqual(sorted(SHAPES.task));
    expect(v.task).toMatchObject({ taskId: '1', state: 'succeeded', attempts: 1, values: task.values, caught: false, reason: null, cachedFrom: null });
    expect(v.task.outputs).toEqual(task.outputs.map((o: any) => ({ path: o.path, type: o.type, size: o.size, sha256: o.hash })));
    for (const o of v.task.outputs) expect(keysOf(o)).toEqual(sorted(SHAPES.output));
    expect(v.attempts).toHaveLength(1);
    expect(keysOf(v.attempts[0])).toEqual(sorted(SHAPES.attempt));
    expect(v.attempts[0]).toMatchObject({ attempt: 1, state: 'succeeded', exitCode: 0, signal: null });
  });
});

describe('show RUN/STEP/TASK/PATH', () => {
  test('prints the content; --json describes it', async () => {
    const r = await flowctl(['show', `${id}/fit/1/metrics.json`], { cwd, stripFinalNewline: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(await store.output('train', id, 'fit', '1', 'metrics.json'));
    const v = await json(['show', `train/latest/evaluate/0/report.md`], cwd);
    const e = (await store.task('train', id, 'evaluate')).outputs.find((o: any) => o.path === 'report.md');
    expect(v).toEqual({ kind: 'artifact', artifact: { pathspec: `train/${id}/evaluate/0/report.md`, path: 'report.md', type: 'file', size: e.size, sha256: e.hash, files: null } });
  });

  test('-o saves; an existing file needs --force', async () => {
    const dest = path.join(cwd, 'model-copy.json');
    const r = await flowctl(['show', `${id}/fit/2/model.json`, '-o', dest], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/saved .*model\.json to .*model-copy\.json/);
    expect(await readFile(dest, 'utf8')).toBe(await store.output('train', id, 'fit', '2', 'model.json'));
    expect((await stat(dest)).mode & 0o200).toBeTruthy(); // a normal writable file, not the read-only object
    const again = await flowctl(['show', `${id}/fit/2/model.json`, '-o', dest], { cwd });
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/already exists[\s\S]*--force/);
    const forced = await json(['show', `${id}/fit/1/model.json`, '-o', dest, '--force'], cwd);
    expect(forced).toMatchObject({ kind: 'saved', artifact: `train/${id}/fit/1/model.json`, type: 'file', path: dest, files: 1 });
    expect(await readFile(dest, 'utf8')).toBe(await store.output('train', id, 'fit', '1', 'model.json'));
  });
});

describe('errors name what exists nearby, exit 2, no stack', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['unknown flow', ['show', 'trian'], /No flow 'trian' in store .*; flows: train \(did you mean 'train'\?\)/],
    ['unknown run', ['show', '20991231T000000.000Z-aaaaaa'], /No run '20991231T000000\.000Z-aaaaaa' in store/],
    ['unknown step', ['show', 'train/latest/fitt'], /has no step 'fitt'; steps: prepare, split, fit, evaluate \(did you mean 'fit'\?\)/],
    ['unknown task', ['show', 'train/latest/fit/7'], /Step train\/\S+\/fit has no task '7'; tasks: 0, 1, 2$/m],
    ['unknown artifact', ['show', 'train/latest/fit/0/metric.json'], /has no output 'metric\.json'; outputs: model\.json, metrics\.json \(did you mean 'metrics\.json'\?\)/],
    ['unknown attempt', ['logs', 'train/latest/fit/0', '--attempt', '4'], /has no attempt 4; attempts: 1$/m],
    ['bad path', ['show', 'train/notarun'], /'notarun' is not a run id .* or 'latest'/],
    ['filters on a run', ['show', 'train/latest', '--status', 'failed'], /--status filter the runs of a flow/],
    ['-o on a task', ['show', 'train/latest/fit/0', '-o', 'x'], /-o saves an artifact/],
  ];
  test.each(cases)('%s', async (_name, args, message) => {
    const r = await flowctl(args, { cwd });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
    expect(r.exitCode).toBe(2);
  });

  test('a run id of another flow says whose it is', async () => {
    const r = await flowctl(['show', `other/${id}`], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/No flow 'other'/);
  });
});

describe('logs', () => {
  test('a task prints its latest attempt; a step prints every task under a header', async () => {
    const one = await flowctl(['logs', `${id}/prepare`], { cwd, stripFinalNewline: false });
    expect(one.exitCode).toBe(0);
    expect(one.stdout).toBe(await store.log('train', id, 'prepare', '0'));
    const all = await flowctl(['logs', `train/latest/fit`], { cwd, stripFinalNewline: false });
    expect(all.stdout.match(/^==> train\/\S+\/fit\/\d \(attempt 1, stdout\) <==$/gm)).toHaveLength(3);
    expect(all.stdout).toContain(await store.log('train', id, 'fit', '2'));
  });

  test('--json: { kind: logs, logs: [{ pathspec, taskId, attempt, stream, text }] }', async () => {
    const v = await json(['logs', `${id}/fit/0`, '--stderr'], cwd);
    expect(v).toEqual({ kind: 'logs', logs: [{ pathspec: `train/${id}/fit/0`, taskId: '0', source: null, attempt: 1, stream: 'stderr', text: await store.log('train', id, 'fit', '0', 1, 'stderr') }] });
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
