/** The Ink view rendered from recorded event sequences (ink-testing-library), asserting on frames. */
import { render } from 'ink-testing-library';
import type { RunEvent } from '../../src/runtime/events.js';
import { LiveView } from '../../src/ui/live/LiveView.js';
import { initialState, reduce } from '../../src/ui/live/state.js';
import { after, fanOut, fold, recorded, stripAnsi, timeOf, type Recording } from './helpers.js';

/** The frame after replaying `events[0..n)`, drawn 50 ms after the last of them. */
function frame(events: RunEvent[], n = events.length, o: { columns?: number; rows?: number } = {}): string {
  const state = fold(events.slice(0, n));
  const { lastFrame, unmount } = render(
    <LiveView state={state} now={timeOf(events[n - 1]!) + 50} columns={o.columns ?? 80} rows={o.rows} final={n === events.length} />,
  );
  const out = stripAnsi(lastFrame() ?? '');
  unmount();
  return out;
}

const lines = (f: string) => f.split('\n');

describe('live view frames', () => {
  test('success: while running, the tree shows states, fan-out progress, running tasks and their last log line', () => {
    const events = recorded('success');
    const n = after(events, (e) => e.type === 'log' && e.step === 'per_fold.fit' && e.taskId === '2');
    const f = frame(events, n, { rows: 30 });
    expect(lines(f)[0]).toMatch(/^train · run 20261126T133836\.561Z-cfkhq8$/);
    expect(f).toMatch(/✔ prepare +\d+ms +succeeded/);
    expect(f).toMatch(/  fit +\d+ms +█+░+ 1\/3 · 2 running/);
    expect(f).toMatch(/  test +\d+ms +░+ 0\/1$/m);
    expect(f).toMatch(/per_fold\.fit\/2 +\d+ms/);
    expect(f).toContain('│ fitting fold 2');
    expect(f).toMatch(/○ report +pending/);
    expect(lines(f).at(-1)).toMatch(/3\/6 tasks · 2 running · \d+ms$/);
    // groups are parents: their steps are indented under them
    expect(f.indexOf('per_fold ')).toBeLessThan(f.indexOf('  fit '));
  });

  test('success: the final frame keeps the whole tree and a summary with where to look next', () => {
    const events = recorded('success');
    const f = frame(events);
    for (const name of ['prepare', 'split', 'per_fold', 'fit', 'test', 'report']) expect(f).toMatch(new RegExp(`✔ +${name} `));
    expect(f).toContain('✔ run succeeded in 1.5s · 9 tasks: 9 succeeded');
    expect(f).toContain('store  /home/ada/churn/.flowctl');
    expect(f).toContain('show   flowctl show 20261126T133836.561Z-cfkhq8');
    expect(f).not.toContain('resume');
    expect(f).not.toMatch(/running|│/);
  });

  test('failure with catch: the step and the run say "caught", with the failure’s last lines', () => {
    const f = frame(recorded('catch'));
    expect(f).toMatch(/✖ score .*3\/3 · 1 caught/);
    expect(f).toContain('✔ publish');
    expect(f).toContain('run succeeded with 1 caught failure');
    expect(f).toContain('✖ score/1 (caught): exit code 3');
    expect(f).toContain('│ ValueError: bad fold');
    expect(f).toContain('logs   flowctl logs 20261126T133828.722Z-6v6ddw/score/1');
    expect(f).not.toContain('resume');
  });

  test('failure: steps after it are "not run" and the summary says how to resume', () => {
    const f = frame(recorded('fail'));
    expect(f).toMatch(/✖ train +17ms +failed/);
    expect(f).toMatch(/○ evaluate +not run/);
    expect(f).toContain('✖ run failed in 150ms · 2 tasks: 1 succeeded, 1 failed');
    expect(f).toContain('│ RuntimeError: CUDA out of memory');
    expect(f).toContain('resume flowctl resume 20261126T133830.363Z-mac4v5');
  });

  test('retry: the step shows the countdown, the failed attempt and then the attempt number', () => {
    const events = recorded('retry');
    const waiting = frame(events, after(events, (e) => e.type === 'attempt-finished'));
    expect(waiting).toMatch(/↻ fetch .*retry in 950ms · attempt 1\/3 failed: exit code 1/);
    expect(waiting).toContain('│ connection reset');
    const third = frame(events, after(events, (e) => e.type === 'attempt-started' && e.attempt === 3));
    expect(third).toMatch(/fetch .*attempt 3\/3 · last failure: exit code 1/);
    const f = frame(events);
    expect(f).toMatch(/✔ fetch +2\.1s +succeeded/);
  });

  test('interrupted: the running step and its tasks are "interrupted", named once, resume is offered', () => {
    const f = frame(recorded('interrupted'));
    expect(f).toMatch(/■ work +1\.\ds +█+░+ 3\/6 · 3 interrupted$/m);
    expect(f).not.toMatch(/stopped|failed/);
    expect(f).toMatch(/○ after +not run/);
    expect(f).toContain('■ run interrupted in 1.8s · 4 tasks: 1 succeeded, 3 interrupted');
    expect(f).toContain('■ interrupted: work/2, work/0, work/1');
    expect(f).not.toContain('tick');
    expect(f).not.toContain('logs ');
    expect(f).toContain('resume flowctl resume 20261126T140258.140Z-ern9xg');
  });

  test('container tasks name their image and short id, on the step row and on task rows', () => {
    const digest = `sha256:${'0a1b2c3d4e5f'}${'9'.repeat(52)}`;
    const boxed = (step: string) => (e: RunEvent): RunEvent =>
      e.type === 'task-started' && e.step === step ? { ...e, image: 'python:3.12', imageDigest: digest } : e;
    const events = recorded('success').map(boxed('prepare')).map(boxed('per_fold.fit'));
    const single = frame(events, after(events, (e) => e.type === 'task-started' && e.step === 'prepare'), { columns: 120, rows: 30 });
    expect(single).toMatch(/prepare +\d+ms +running · python:3\.12 \(sha256:0a1b2c3d4e5f\)$/m);
    const fanned = frame(events, after(events, (e) => e.type === 'log' && e.step === 'per_fold.fit' && e.taskId === '2'), { columns: 120, rows: 30 });
    expect(fanned).toMatch(/per_fold\.fit\/2 +\d+ms · python:3\.12 \(sha256:0a1b2c3d4e5f\)$/m);
    expect(fanned).not.toMatch(/per_fold\.test\/\d.*python/);
  });

  test('cached run: every step is marked cached', () => {
    const f = frame(recorded('cached'));
    expect(f).toMatch(/↺ prepare .*cached/);
    expect(f).toMatch(/↺   fit .*3\/3 · 3 cached/);
    expect(f).toContain('9 tasks: 9 cached');
  });

  test('500-task fan-out: one progress row, a few task rows, and a frame that fits the terminal', () => {
    const failing = Array.from({ length: 30 }, (_, i) => i * 16);
    const events = fanOut(500, { workers: 8, failing });
    const n = after(events, (e) => e.type === 'task-finished' && e.taskId === '250');
    const f = frame(events, n, { rows: 20 });
    expect(lines(f).length).toBeLessThan(20);
    // just after a task finished: 7 of the 8 workers busy; report is not planned yet
    expect(f).toMatch(/fit .*█+░+ 251\/500 · 7 running · 16 caught/);
    expect(f).toMatch(/fit\/25\d \{"lr":0\.25\d\}/);
    expect(f).toContain('+ 2 more running');
    expect(lines(f).at(-1)).toMatch(/252\/501 tasks · 7 running · 16 failed/);

    const small = frame(events, n, { rows: 8 });
    expect(lines(small).length).toBeLessThan(8);
    expect(small).toContain('fit');

    const end = frame(events);
    expect(end).toMatch(/fit .*500\/500 · 30 caught/);
    expect(end).toContain('… and 25 more failures');
    expect(lines(end).length).toBeLessThan(40);
  });

  test('rerendering with new state replaces the frame (events → state → picture)', () => {
    const events = recorded('fail');
    let state = initialState();
    const at = (i: number) => timeOf(events[i]!);
    const { lastFrame, rerender, frames, unmount } = render(<LiveView state={state} now={0} columns={80} />);
    for (let i = 0; i < events.length; i++) {
      state = reduce(state, events[i]!);
      rerender(<LiveView state={state} now={at(i)} columns={80} rows={24} />);
    }
    expect(frames.length).toBeGreaterThan(events.length);
    expect(stripAnsi(lastFrame()!)).toContain('run failed');
    unmount();
  });

  test.each<Recording>(['success', 'cached', 'catch', 'fail', 'retry', 'interrupted'])('%s: at 60 columns no line is wider than the terminal', (name) => {
    const events = recorded(name);
    for (const n of [Math.floor(events.length / 2), events.length]) {
      for (const line of lines(frame(events, n, { columns: 60, rows: 30 }))) expect([...line].length).toBeLessThanOrEqual(60);
    }
  });

  test('at 60 columns the fan-out bar shrinks but names and counts stay', () => {
    const events = fanOut(500, { workers: 8 });
    const f = frame(events, after(events, (e) => e.type === 'task-finished' && e.taskId === '100'), { columns: 60, rows: 24 });
    for (const line of lines(f)) expect([...line].length).toBeLessThanOrEqual(60);
    expect(f).toMatch(/fit .*101\/500 · 7 running/);
  });
});
