/** Plain and NDJSON reporters fed recorded runs: what a CI log and a tool see. */
import type { RunEvent } from '../../src/runtime/events.js';
import { JsonReporter } from '../../src/ui/json-reporter.js';
import { PlainReporter, type PlainReporterOptions } from '../../src/ui/plain-reporter.js';
import { fanOut, recorded } from './helpers.js';

function plain(events: RunEvent[], o: PlainReporterOptions = {}): string[] {
  const out: string[] = [];
  const r = new PlainReporter({ ...o, write: (l) => out.push(l) });
  for (const e of events) r.onEvent(e);
  return out;
}

describe('plain reporter', () => {
  test('one line per meaningful event, and the summary', () => {
    const out = plain(recorded('success'));
    expect(out[0]).toBe('run 20261126T133836.561Z-cfkhq8 of flow train started (store: /home/ada/churn/.flowctl)');
    expect(out).toContain('step per_fold.fit: succeeded (3 succeeded) in 865ms');
    expect(out.at(-1)).toBe('run 20261126T133836.561Z-cfkhq8: succeeded in 1.51s (9 succeeded)');
  });

  test('a step inside a fanned-out group gets one line as it grows; the group counts its steps’ tasks', () => {
    const out = plain(recorded('success'));
    expect(out.filter((l) => /^step per_fold\.(fit|test): (\d+ tasks|tasks )/.test(l))).toEqual([
      'step per_fold.fit: tasks for each item of per_fold',
      'step per_fold.test: tasks for each item of per_fold',
    ]);
    expect(out).toContain('step per_fold: succeeded (6 succeeded) in 1.09s');
    expect(out.join('\n')).not.toContain('no tasks');
  });

  test('interrupted tasks and runs say so, and the run ends with where to look next', () => {
    const out = plain(recorded('interrupted'));
    expect(out).toEqual(expect.arrayContaining(['task work/0: interrupted after 1.68s', 'task work/2: interrupted after 1.68s']));
    expect(out.join('\n')).not.toMatch(/failed|tick/);
    expect(out.slice(-4)).toEqual([
      'run 20261126T140258.140Z-ern9xg: interrupted in 1.75s (1 succeeded, 3 interrupted)',
      '  store   /home/ada/slow/.flowctl',
      '  show    flowctl show 20261126T140258.140Z-ern9xg',
      '  resume  flowctl resume 20261126T140258.140Z-ern9xg',
    ]);
  });

  test('runs recorded before tasks could be interrupted (failed, reason interrupted) read the same', () => {
    const old = recorded('interrupted').map((e) => (e.type === 'task-finished' ? { ...e, state: 'failed' as const } : e));
    expect(plain(old)).toContain('task work/1: interrupted after 1.68s');
  });

  test('a failed run ends with the live view’s hints: show, logs of the first failure, resume', () => {
    const out = plain(recorded('fail'));
    const runId = out.at(-5)!.split(' ')[1]!.replace(/:$/, '');
    expect(out.slice(-3)).toEqual([`  show    flowctl show ${runId}`, `  logs    flowctl logs ${runId}/train/0`, `  resume  flowctl resume ${runId}`]);
    expect(plain(recorded('success')).join('\n')).not.toContain('flowctl resume');
  });

  test('by default a task’s output is printed when the task runs alone', () => {
    const out = plain(recorded('success'));
    // prepare runs alone: its lines are streamed
    expect(out).toContain('prepare/0 | rows=1000');
    // the three fits run two at a time: none of their lines is printed, not even those of
    // the last one, which ends alone
    expect(out.filter((l) => l.includes('fitting fold') || l.includes('loss='))).toEqual([]);
  });

  test('with one worker, every task of a fan-out runs alone and is streamed', () => {
    const out = plain(fanOut(3, { workers: 1 }));
    expect(out.filter((l) => l.startsWith('fit/'))).toEqual([
      'fit/0 | fit 0: loading', 'fit/0 | fit 0: loss=0.0',
      'fit/1 | fit 1: loading', 'fit/1 | fit 1: loss=0.1',
      'fit/2 | fit 2: loading', 'fit/2 | fit 2: loss=0.2',
    ]);
  });

  test('--stream-logs prints every line with its task name; --no-stream-logs none', () => {
    const all = plain(recorded('success'), { streamLogs: true });
    expect(all).toEqual(expect.arrayContaining(['per_fold.fit/0 | fitting fold 0', 'per_fold.fit/2 | loss=0.12', 'report/0 | report ok']));
    const none = plain(recorded('success'), { streamLogs: false });
    expect(none.filter((l) => l.includes(' | '))).toEqual([]);
  });

  test('a failed task’s last lines are printed unless they were just streamed', () => {
    const streamed = plain(recorded('fail'));
    expect(streamed.filter((l) => l.includes('CUDA out of memory'))).toEqual(['train/0 | RuntimeError: CUDA out of memory']);
    const quietLogs = plain(recorded('fail'), { streamLogs: false });
    expect(quietLogs).toEqual(expect.arrayContaining(['task train/0: failed in 17ms: exit code 1', '  | RuntimeError: CUDA out of memory']));
  });

  test('retries say which attempt runs and why the last one failed', () => {
    const out = plain(recorded('retry'));
    expect(out).toContain('task fetch/0: attempt 1 failed: exit code 1; retrying in 1.00s');
    expect(out).toContain('task fetch/0: attempt 3/3 (last failure: exit code 1)');
  });

  test('cached tasks name where they came from', () => {
    const out = plain(recorded('cached'));
    expect(out).toContain('task prepare/0: cached (from 20261126T133836.561Z-cfkhq8/prepare/0)');
  });

  test('--quiet prints only errors', () => {
    expect(plain(recorded('success'), { quiet: true })).toEqual([]);
    expect(plain(recorded('catch'), { quiet: true })).toEqual([]);
    const out = plain(recorded('fail'), { quiet: true });
    expect(out[0]).toBe('task train/0: failed in 17ms: exit code 1');
    expect(out).toContain('  | RuntimeError: CUDA out of memory');
    expect(out.find((l) => l.startsWith('run '))).toMatch(/^run \S+: failed in 150ms/);
    expect(out.at(-1)).toMatch(/^  resume  flowctl resume \S+$/);
  });

  test('--timestamps prefixes every line with the event time', () => {
    const out = plain(recorded('fail'), { timestamps: true });
    for (const l of out) expect(l).toMatch(/^2026-11-26T\d\d:\d\d:\d\d\.\d{3}Z /);
  });

  test('never an escape sequence, even when a task prints colours or cursor moves', () => {
    const events = recorded('fail').map((e) => (e.type === 'log' ? { ...e, line: `\x1b[31m${e.line}\x1b[0m\x1b[2K` } : e));
    const out = plain(events, { streamLogs: true, timestamps: true }).join('\n');
    expect(out).toContain('train/0 | epoch 1');
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
  });
});

describe('NDJSON reporter', () => {
  test('one JSON object per event, in order', () => {
    const lines: string[] = [];
    const r = new JsonReporter({ write: (l) => lines.push(l) });
    const events = recorded('retry');
    for (const e of events) r.onEvent(e);
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
  });

  test('--quiet keeps run-started, uncaught failures and run-finished', () => {
    const lines: string[] = [];
    const r = new JsonReporter({ quiet: true, write: (l) => lines.push(l) });
    for (const e of [...recorded('fail'), ...fanOut(20, { failing: [3] })]) r.onEvent(e);
    expect(lines.map((l) => JSON.parse(l).type)).toEqual(['run-started', 'task-finished', 'run-finished', 'run-started', 'run-finished']);
  });
});
