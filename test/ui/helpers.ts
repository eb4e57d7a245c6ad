/**
 * Event sequences for view tests: runs recorded with `flowctl run --output json` (in
 * fixtures/, datastore path rewritten), and a generator for fan-outs too big to record.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent } from '../../src/runtime/events.js';
import { initialState, reduce, type ViewState } from '../../src/ui/live/state.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/**
 * Recorded runs: success (prepare → split → per_fold group ×3 {fit → test} → report),
 * cached (the same flow again, every task cached), catch (score ×3 with catch: true, item 2
 * fails), fail (train fails, evaluate never runs), retry (fetch fails twice, then succeeds),
 * interrupted (SIGINT while three of six `work` tasks run).
 */
export type Recording = 'success' | 'cached' | 'catch' | 'fail' | 'retry' | 'interrupted';

export function recorded(name: Recording): RunEvent[] {
  return readFileSync(path.join(FIXTURES, `${name}.ndjson`), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as RunEvent);
}

export function fold(events: RunEvent[], state: ViewState = initialState()): ViewState {
  return events.reduce(reduce, state);
}

/** Index just after the first event matching `pred` (for "replay up to here"). */
export function after(events: RunEvent[], pred: (e: RunEvent) => boolean): number {
  const i = events.findIndex(pred);
  if (i < 0) throw new Error('no such event');
  return i + 1;
}

export function timeOf(e: RunEvent): number {
  return Date.parse(e.time);
}

// eslint-disable-next-line no-control-regex
export const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '');

/**
 * A run of `prepare → fit (foreach over n items, catch: true) → report` with `workers`
 * tasks at a time; items listed in `failing` fail (caught). Every task logs two lines.
 */
export function fanOut(n: number, o: { workers?: number; failing?: number[]; runId?: string } = {}): RunEvent[] {
  const workers = o.workers ?? 8;
  const failing = new Set(o.failing ?? []);
  const runId = o.runId ?? '20260101T120000.000Z-fan500';
  let clock = Date.parse('2026-01-01T12:00:00.000Z');
  const out: RunEvent[] = [];
  const ev = (e: Record<string, unknown>, dt = 5) => {
    clock += dt;
    out.push({ ...e, time: new Date(clock).toISOString(), runId } as RunEvent);
  };
  ev({
    type: 'run-started', flow: 'sweep', params: {}, datastore: '/home/ada/sweep/.flowctl', steps: [
      { step: 'prepare', foreach: false, needs: [] },
      { step: 'fit', foreach: true, needs: ['prepare'] },
      { step: 'report', foreach: false, needs: ['fit'] },
    ],
  });
  const task = (step: string, id: string, item?: unknown) => {
    ev({ type: 'task-started', step, taskId: id, item });
    ev({ type: 'attempt-started', step, taskId: id, attempt: 1, maxAttempts: 1 });
    ev({ type: 'log', step, taskId: id, attempt: 1, stream: 'stdout', line: `${step} ${id}: loading` });
    ev({ type: 'log', step, taskId: id, attempt: 1, stream: 'stdout', line: `${step} ${id}: loss=0.${id}` });
  };
  const finish = (step: string, id: string, fail = false) => {
    ev({ type: 'attempt-finished', step, taskId: id, attempt: 1, state: fail ? 'failed' : 'succeeded', exitCode: fail ? 1 : 0, durationMs: 40, reason: fail ? 'exit code 1' : undefined });
    ev({
      type: 'task-finished', step, taskId: id, state: fail ? 'failed' : 'succeeded', durationMs: 40,
      ...(fail ? { reason: 'exit code 1', caught: true, lastLines: [`${step} ${id}: loading`, 'ValueError: diverged'] } : {}),
    });
  };
  ev({ type: 'step-started', step: 'prepare' });
  ev({ type: 'step-planned', step: 'prepare', tasks: 1 });
  task('prepare', '0');
  finish('prepare', '0');
  ev({ type: 'step-finished', step: 'prepare', state: 'succeeded', counts: { succeeded: 1 }, durationMs: 30 });
  ev({ type: 'step-started', step: 'fit' });
  ev({ type: 'step-planned', step: 'fit', tasks: n });
  const running: number[] = [];
  let next = 0;
  while (next < n || running.length) {
    while (running.length < workers && next < n) {
      task('fit', String(next), { lr: next / 1000 });
      running.push(next++);
    }
    const done = running.shift()!;
    finish('fit', String(done), failing.has(done));
  }
  const failed = failing.size;
  ev({ type: 'step-finished', step: 'fit', state: failed ? 'caught' : 'succeeded', counts: { succeeded: n - failed, ...(failed ? { failed } : {}) }, durationMs: 9000 });
  ev({ type: 'step-started', step: 'report' });
  ev({ type: 'step-planned', step: 'report', tasks: 1 });
  task('report', '0');
  finish('report', '0');
  ev({ type: 'step-finished', step: 'report', state: 'succeeded', counts: { succeeded: 1 }, durationMs: 30 });
  ev({ type: 'run-finished', state: 'succeeded', durationMs: clock - Date.parse('2026-01-01T12:00:00.000Z'), counts: { succeeded: n + 2 - failed, ...(failed ? { failed } : {}) }, caughtFailures: failed });
  return out;
}
