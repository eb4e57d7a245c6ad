/** The reducer alone: events in, view state out; no Ink, no terminal, no clock. */
import type { RunEvent } from '../../src/runtime/events.js';
import { FAILURES_KEPT, initialState, LOG_LINES_KEPT, reduce, stepStatus } from '../../src/ui/live/state.js';
import { after, fanOut, fold, recorded } from './helpers.js';

const step = (s: ReturnType<typeof fold>, name: string) => s.steps[s.stepIndex.get(name)!]!;

describe('live view state', () => {
  test('run-started lays out the steps as a tree in DAG order', () => {
    const s = fold(recorded('success').slice(0, 1));
    expect(s.steps.map((x) => [x.step, x.name, x.depth, x.isGroup])).toEqual([
      ['prepare', 'prepare', 0, false],
      ['split', 'split', 0, false],
      ['per_fold', 'per_fold', 0, true],
      ['per_fold.fit', 'fit', 1, false],
      ['per_fold.test', 'test', 1, false],
      ['report', 'report', 0, false],
    ]);
    expect(s.flow).toBe('train');
    expect(s.datastore).toBe('/home/ada/churn/.flowctl');
  });

  test('a successful run ends with every task counted and nothing running', () => {
    const s = fold(recorded('success'));
    expect(s.running.size).toBe(0);
    expect(s.counts).toEqual({ succeeded: 9 });
    expect(step(s, 'per_fold.fit')).toMatchObject({ planned: 3, counts: { succeeded: 3 }, outcome: 'succeeded' });
    expect(s.finished).toMatchObject({ state: 'succeeded', caughtFailures: 0 });
    expect(s.steps.map((x) => stepStatus(x, [], true))).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
  });

  test('running tasks keep only their last log lines', () => {
    const events = recorded('success');
    const s = fold(events.slice(0, after(events, (e) => e.type === 'log' && e.step === 'prepare')));
    const t = s.running.get('prepare/0')!;
    expect(t.lines).toEqual(['rows=1000']);
    let x = s;
    for (let i = 0; i < 10; i++) {
      x = reduce(x, { type: 'log', step: 'prepare', taskId: '0', attempt: 1, stream: 'stdout', line: `line ${i}`, time: '2026-01-01T00:00:00.000Z', runId: s.runId! });
    }
    expect(x.running.get('prepare/0')!.lines).toEqual(['line 7', 'line 8', 'line 9'].slice(-LOG_LINES_KEPT));
    expect(stepStatus(step(x, 'prepare'), [x.running.get('prepare/0')!], false)).toBe('running');
  });

  test('log lines are sanitized: no escape sequences, no carriage-return redraws', () => {
    let s = fold(recorded('success').slice(0, 5));
    const base = { type: 'log', step: 'prepare', taskId: '0', attempt: 1, stream: 'stdout', time: '2026-01-01T00:00:00.000Z', runId: 'r' } as const;
    s = reduce(s, { ...base, line: '\x1b[31mred\x1b[0m and \x1b[2K\x1b[1Aup' });
    s = reduce(s, { ...base, line: ' 10%\r 50%\r100%' });
    expect(s.running.get('prepare/0')!.lines.slice(-2)).toEqual(['red and up', '100%']);
  });

  test('a retry shows as a pending retry until the next attempt starts', () => {
    const events = recorded('retry');
    const waiting = fold(events.slice(0, after(events, (e) => e.type === 'attempt-finished')));
    const t = waiting.running.get('fetch/0')!;
    expect(t).toMatchObject({ attempt: 1, maxAttempts: 3, lastFailure: 'exit code 1' });
    expect(t.retryAt).toBe(Date.parse(events.find((e) => e.type === 'attempt-finished')!.time) + 1000);
    expect(stepStatus(step(waiting, 'fetch'), [t], false)).toBe('retrying');

    const second = fold(events.slice(0, after(events, (e) => e.type === 'attempt-started' && e.attempt === 2)));
    const t2 = second.running.get('fetch/0')!;
    expect(t2).toMatchObject({ attempt: 2, retryAt: undefined, lines: [] });
    expect(stepStatus(step(second, 'fetch'), [t2], false)).toBe('running');
  });

  test('caught failures are counted and kept with their last lines', () => {
    const s = fold(recorded('catch'));
    expect(step(s, 'score')).toMatchObject({ caught: 1, counts: { succeeded: 2, failed: 1 }, outcome: 'caught' });
    expect(s.failures).toEqual([{ step: 'score', taskId: '1', reason: 'exit code 3', caught: true, lastLines: ['scoring 2', 'ValueError: bad fold'] }]);
    expect(stepStatus(step(s, 'score'), [], true)).toBe('caught');
    expect(s.finished).toMatchObject({ state: 'succeeded', caughtFailures: 1 });
  });

  test('after a failed run, steps that never started are "not run"', () => {
    const s = fold(recorded('fail'));
    expect(stepStatus(step(s, 'train'), [], true)).toBe('failed');
    expect(stepStatus(step(s, 'evaluate'), [], true)).toBe('not-run');
    expect(stepStatus(step(s, 'evaluate'), [], false)).toBe('pending');
  });

  test('cached tasks arrive without task-started and count as cached', () => {
    const s = fold(recorded('cached'));
    expect(s.counts).toEqual({ cached: 9 });
    expect(stepStatus(step(s, 'prepare'), [], true)).toBe('cached');
    expect(s.running.size).toBe(0);
  });

  test('a 500-task fan-out keeps O(workers) task state and a bounded failure list', () => {
    const failing = Array.from({ length: 30 }, (_, i) => i * 16);
    const s = fold(fanOut(500, { workers: 8, failing }));
    expect(step(s, 'fit')).toMatchObject({ planned: 500, counts: { succeeded: 470, failed: 30 }, caught: 30 });
    expect(s.failureCount).toBe(30);
    expect(s.failures).toHaveLength(FAILURES_KEPT);
    const mid = fold(fanOut(500, { workers: 8 }).slice(0, 1200));
    expect(mid.running.size).toBeLessThanOrEqual(8);
  });

  test('events for a step not announced by run-started still show up', () => {
    const e = { type: 'step-started', step: 'ghost', time: '2026-01-01T00:00:00.000Z', runId: 'r' } as RunEvent;
    const s = reduce(initialState(), e);
    expect(s.steps.map((x) => x.step)).toEqual(['ghost']);
  });

  test('reduce never mutates the state it is given', () => {
    const events = recorded('success');
    const before = fold(events.slice(0, 20));
    const snapshot = JSON.stringify({ ...before, stepIndex: [...before.stepIndex], running: [...before.running] });
    fold(events.slice(20), before);
    expect(JSON.stringify({ ...before, stepIndex: [...before.stepIndex], running: [...before.running] })).toBe(snapshot);
  });
});
