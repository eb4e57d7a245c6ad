/** The pure parts shared by the UI's server and browser: applying live events, DAG edges through groups, the runs filter. */
import { leafEdges } from '../../src/web/shared/dag-edges.js';
import { matchesRun, queryToSearch, searchToQuery } from '../../src/web/shared/run-filter.js';
import { applyEvents, stepsFromPlan } from '../../src/web/shared/run-reducer.js';
import type { RunRow, RunSnapshot } from '../../src/web/shared/types.js';

const T = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

function snapshot(): RunSnapshot {
  return {
    run: { runId: 'r1', flow: 'f', state: 'running', status: 'running', finishedAt: null, durationMs: null } as RunSnapshot['run'],
    steps: stepsFromPlan([{ step: 'prep', needs: [] }, { step: 'fit', needs: ['prep'], foreach: true }]),
    tasks: {}, failures: [], values: [], valuesTruncated: false, eventsOffset: 0,
  };
}

test('events move steps and tasks forward: planned totals, running, finished, failures with their last lines, the run end', () => {
  let s = snapshot();
  const before = s;
  s = applyEvents(s, [
    { type: 'step-started', step: 'prep', time: T(0) },
    { type: 'step-planned', step: 'prep', tasks: 1, time: T(0) },
    { type: 'task-started', step: 'prep', taskId: '0', time: T(1) },
    { type: 'attempt-started', step: 'prep', taskId: '0', attempt: 1, time: T(1) },
    { type: 'log', step: 'prep', taskId: '0', line: 'x', time: T(1) },
    { type: 'something-new', time: T(1) },
  ]);
  expect(before.tasks).toEqual({}); // the input is left as it was
  expect(s.steps[0]).toMatchObject({ state: 'running', total: 1, counts: { running: 1 }, startedAt: T(0) });
  expect(s.tasks.prep).toEqual([expect.objectContaining({ taskId: '0', state: 'running', attempts: 1, startedAt: T(1) })]);
  s = applyEvents(s, [
    { type: 'task-finished', step: 'prep', taskId: '0', state: 'succeeded', durationMs: 2000, time: T(3) },
    { type: 'step-finished', step: 'prep', state: 'succeeded', durationMs: 3000, time: T(3) },
    { type: 'step-planned', step: 'fit', tasks: 3, time: T(3) },
    { type: 'task-started', step: 'fit', taskId: '0', item: { fold: 0 }, time: T(4) },
    { type: 'task-started', step: 'fit', taskId: '1', item: { fold: 1 }, time: T(4) },
  ]);
  expect(s.steps[0]).toMatchObject({ state: 'succeeded', finishedAt: T(3), durationMs: 3000, counts: { succeeded: 1 } });
  expect(s.steps[1]).toMatchObject({ state: 'running', total: 3, counts: { running: 2 } });
  expect(s.tasks.fit.map((t) => t.item)).toEqual(['{"fold":0}', '{"fold":1}']);
  s = applyEvents(s, [
    { type: 'task-finished', step: 'fit', taskId: '1', state: 'failed', reason: 'exit code 2', lastLines: ['boom'], durationMs: 500, time: T(5) },
    // An event for a task that already finished (a snapshot overlapping the stream) changes nothing.
    { type: 'task-started', step: 'fit', taskId: '1', time: T(6) },
    { type: 'run-finished', state: 'failed', durationMs: 7000, time: T(7) },
  ]);
  expect(s.tasks.fit[1]).toMatchObject({ state: 'failed', reason: 'exit code 2', finishedAt: T(5) });
  expect(s.failures).toEqual([{ step: 'fit', taskId: '1', state: 'failed', reason: 'exit code 2', caught: false, attempts: 0, lastLines: ['boom'] }]);
  expect(s.run).toMatchObject({ state: 'failed', status: 'failed', finishedAt: T(7), durationMs: 7000 });
});

test('a step whose every task was reused from the cache is cached, as its records say', () => {
  const s = applyEvents(snapshot(), [
    { type: 'step-started', step: 'prep', time: T(0) },
    { type: 'task-finished', step: 'prep', taskId: '0', state: 'cached', cachedFrom: 'r0/prep/0', durationMs: 1, time: T(0) },
    { type: 'step-finished', step: 'prep', state: 'succeeded', durationMs: 1, time: T(0) },
  ]);
  expect(s.steps[0].state).toBe('cached');
  expect(s.tasks.prep[0]).toMatchObject({ state: 'cached', cachedFrom: 'r0/prep/0' });
});

test('a snapshot taken before the run wrote its plan gets its steps from run-started', () => {
  const s = applyEvents({ ...snapshot(), steps: [] }, [{ type: 'run-started', time: T(0), steps: [{ step: 'g', foreach: true, needs: [] }, { step: 'g.a', parent: 'g', foreach: false, needs: [] }] }]);
  expect(s.steps.map((x) => [x.step, x.group, x.parent])).toEqual([['g', true, null], ['g.a', false, 'g']]);
});

test('DAG edges run between leaf steps: into a group\'s first steps, out of its last ones, through nested groups', () => {
  const steps = stepsFromPlan([
    { step: 'split', needs: [] },
    { step: 'per', needs: ['split'], foreach: true },
    { step: 'per.fit', parent: 'per', needs: [] },
    { step: 'per.inner', parent: 'per', needs: ['per.fit'] },
    { step: 'per.inner.x', parent: 'per.inner', needs: [] },
    { step: 'per.inner.y', parent: 'per.inner', needs: [] },
    { step: 'per.test', parent: 'per', needs: ['per.fit'] },
    { step: 'report', needs: ['per', 'split'] },
  ]);
  expect(leafEdges(steps)).toEqual([
    ['split', 'per.fit'], ['per.fit', 'per.inner.x'], ['per.fit', 'per.inner.y'], ['per.fit', 'per.test'],
    ['per.inner.x', 'report'], ['per.inner.y', 'report'], ['per.test', 'report'], ['split', 'report'],
  ]);
});

test('the runs filter: namespace, state (dead included), every tag, params by text, run id part; and its URL form', () => {
  const row: RunRow = {
    flow: 'f', runId: '20260101T000000.000Z-abc123', state: 'running', status: 'dead', user: 'u', namespace: 'user:u', tags: ['a', 'b'],
    params: { lr: 0.5, name: 'x', list: [1, 2] }, startedAt: T(0), finishedAt: null, durationMs: null, originRunId: null, taskCounts: {}, caughtFailures: 0,
  };
  expect(matchesRun(row, {})).toBe(true);
  expect(matchesRun(row, { namespace: 'user:u', state: ['dead'], tag: ['a', 'b'], param: ['lr=0.5', 'name=x', 'list=[1,2]', 'lr'], q: 'ABC1' })).toBe(true);
  expect(matchesRun(row, { namespace: 'production' })).toBe(false);
  expect(matchesRun(row, { state: ['running'] })).toBe(false);
  expect(matchesRun(row, { tag: ['a', 'c'] })).toBe(false);
  expect(matchesRun(row, { param: ['lr=0.50'] })).toBe(false);
  expect(matchesRun(row, { param: ['seed'] })).toBe(false);
  expect(matchesRun(row, { q: 'zzz' })).toBe(false);
  const q = { namespace: 'user:u', state: ['failed' as const, 'dead' as const], tag: ['a'], param: ['lr=0.5'], q: 'abc' };
  expect(searchToQuery(queryToSearch(q))).toEqual(q);
});

