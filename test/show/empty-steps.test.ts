/**
 * A step with no task (a fan-out over an empty list, a matrix with an empty axis, a group over
 * an empty list, an empty fan-out inside a group) succeeded, as the run's events say: every view
 * (show, show --json, graph --run, report, the web UI's snapshot, the client API) agrees. A step
 * the run never reached is still `not-run`.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { Run } from '../../src/index.js';
import type { RunEvent } from '../../src/runtime/events.js';
import { initialState, reduce, stepStatus } from '../../src/ui/live/state.js';
import { applyEvents, stepsFromPlan, type RunEventLike } from '../../src/web/shared/run-reducer.js';
import { buildSnapshot } from '../../src/web/run-snapshot.js';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';

const FLOW = `
version: 1
name: empty
params:
  none: { type: list, default: [] }
  fail: { type: boolean, default: false }
steps:
  fan:
    foreach: \${{ params.none }}
    run: echo hi
  grid:
    matrix: { a: [1, 2], b: [] }
    run: echo hi
  grp:
    foreach: \${{ params.none }}
    steps:
      inner: { run: echo hi }
  outer:
    foreach: [x]
    steps:
      innerfan: { foreach: "\${{ params.none }}", run: echo hi }
  gate:
    needs: [fan, grid, grp, outer]
    run: test "$FLOW_PARAM_FAIL" = false
  late:
    needs: [gate]
    foreach: \${{ params.none }}
    run: echo never
  later:
    needs: [gate]
    foreach: [1]
    steps:
      deep: { foreach: "\${{ params.none }}", run: echo never }
`;
const EMPTY = ['fan', 'grid', 'grp.inner', 'outer.innerfan'];

let dir: string;
let ok: string;
let failed: string;
beforeAll(async () => {
  dir = await makeProject({ 'flow.yaml': FLOW });
  const a = await flowctl(['run', 'flow.yaml'], { cwd: dir });
  expect(a.exitCode).toBe(0);
  ok = runIdFrom(a);
  const b = await flowctl(['run', 'flow.yaml', '-p', 'fail=true', '--no-cache'], { cwd: dir });
  expect(b.exitCode).toBe(1);
  failed = runIdFrom(b);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const states = (steps: Array<{ step: string; state: string }>) => Object.fromEntries(steps.map((s) => [s.step, s.state]));

test('show --json and show say succeeded for every taskless step of a finished run', async () => {
  const json = await flowctl(['show', `empty/${ok}`, '--json'], { cwd: dir });
  expect(json.exitCode).toBe(0);
  expect(states(JSON.parse(json.stdout).steps)).toEqual({
    fan: 'succeeded', grid: 'succeeded', 'grp.inner': 'succeeded', 'outer.innerfan': 'succeeded', gate: 'succeeded',
    late: 'succeeded', 'later.deep': 'succeeded',
  });
  const text = await flowctl(['show', `empty/${ok}`], { cwd: dir });
  for (const step of EMPTY) expect(text.stdout).toMatch(new RegExp(`^${step.replace('.', '\\.')}\\s+succeeded\\s+0\\b`, 'm'));
  expect(text.stdout).not.toMatch(/not run|not-run/);
  const one = await flowctl(['show', `empty/${ok}/grid`, '--json'], { cwd: dir });
  expect(JSON.parse(one.stdout).step).toMatchObject({ step: 'grid', state: 'succeeded', tasks: 0 });
});

test('steps after a failure, which the run never reached, are still not-run', async () => {
  const json = await flowctl(['show', `empty/${failed}`, '--json'], { cwd: dir });
  expect(states(JSON.parse(json.stdout).steps)).toMatchObject({ fan: 'succeeded', 'grp.inner': 'succeeded', gate: 'failed', late: 'not-run', 'later.deep': 'not-run' });
  const graph = await flowctl(['graph', '--run', `empty/${failed}`], { cwd: dir });
  expect(graph.stdout).toMatch(/late .*not run/);
  expect(graph.stdout).toMatch(/later .*not run/);
});

test('graph --run and report agree, groups included', async () => {
  const graph = await flowctl(['graph', '--run', `empty/${ok}`], { cwd: dir });
  expect(graph.exitCode).toBe(0);
  for (const name of ['fan', 'grid', 'grp', 'inner', 'outer', 'innerfan', 'late', 'later', 'deep']) {
    expect(graph.stdout).toMatch(new RegExp(`─ ${name}\\b[^\\n]*succeeded`));
  }
  expect(graph.stdout).not.toMatch(/not run/);
  const out = path.join(dir, 'report.html');
  const report = await flowctl(['report', `empty/${ok}`, '-o', out], { cwd: dir });
  expect(report.exitCode).toBe(0);
  const html = await readFile(out, 'utf8');
  for (const step of [...EMPTY, 'grp', 'outer']) expect(html).toContain(`"step":"${step}"`);
  const views = [...html.matchAll(/"step":"([^"]+)","parent":[^}]*?"state":"([a-z-]+)"/g)].map((m) => [m[1], m[2]]);
  expect(views.length).toBeGreaterThanOrEqual(EMPTY.length + 2);
  for (const [step, state] of views) expect([step, state]).toEqual([step, 'succeeded']);
});

test('the client API and the web UI snapshot say succeeded too', async () => {
  const run = await Run.get(`empty/${ok}`, { datastore: path.join(dir, '.flowctl'), namespace: null });
  const summaries = await Promise.all((await run.steps()).map((s) => s.summary()));
  for (const step of EMPTY) expect(summaries.find((s) => s.step === step)).toMatchObject({ state: 'succeeded', tasks: 0 });
  const snap = await buildSnapshot(run);
  expect(states(snap.steps)).toMatchObject({ fan: 'succeeded', grid: 'succeeded', grp: 'succeeded', 'grp.inner': 'succeeded', outer: 'succeeded', 'outer.innerfan': 'succeeded' });
  const stopped = await Run.get(`empty/${failed}`, { datastore: path.join(dir, '.flowctl'), namespace: null });
  expect(states((await buildSnapshot(stopped)).steps)).toMatchObject({ late: 'not-run', 'later.deep': 'not-run', 'grp.inner': 'succeeded' });
});

test('the live views (terminal and web page), fed the run events, end with them succeeded', async () => {
  const lines = (await readFile(path.join(dir, `.flowctl/flows/empty/runs/${ok}/events.ndjson`), 'utf8')).split('\n').filter(Boolean);
  const raw = lines.map((l) => JSON.parse(l) as RunEventLike);
  const events = raw as unknown as RunEvent[];
  const run = await Run.get(`empty/${ok}`, { datastore: path.join(dir, '.flowctl'), namespace: null });
  const page = applyEvents({ ...(await buildSnapshot(run)), steps: stepsFromPlan(await run.graph()), tasks: {} }, raw);
  expect(states(page.steps)).toMatchObject({ fan: 'succeeded', grid: 'succeeded', grp: 'succeeded', 'grp.inner': 'succeeded', 'outer.innerfan': 'succeeded', late: 'succeeded' });
  const view = events.reduce(reduce, initialState());
  expect(Object.fromEntries(view.steps.map((x) => [x.step, stepStatus(x, [], true)]))).toMatchObject({
    fan: 'succeeded', grid: 'succeeded', grp: 'succeeded', 'grp.inner': 'succeeded', outer: 'succeeded', 'outer.innerfan': 'succeeded', late: 'succeeded',
  });
});
