/** Which runs gc removes (src/store/gc/select.ts): --keep-last per flow, --older-than, --flow; never live or unreadable runs. */
import { selectRuns, type ListedRun } from '../../src/store/gc/select.js';
import type { RunRecord } from '../../src/store/records.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const DAY = 86_400_000;

function run(flow: string, daysAgo: number, state: RunRecord['state'] = 'succeeded', beatAgoMs = DAY): ListedRun {
  const started = new Date(NOW - daysAgo * DAY);
  const runId = `${started.toISOString().replace(/[-:]/g, '').replace(/\.(\d{3})Z$/, '.$1Z')}-${flow.padEnd(6, 'a').slice(0, 6)}`;
  return {
    flow, runId,
    record: {
      formatVersion: 1, flow, runId, state, params: {}, secretParams: [], codeHash: 'c'.repeat(64), specHash: 's'.repeat(64), flowFile: 'f.yaml',
      user: 'u', namespace: 'user:u', tags: [], startedAt: started.toISOString(), heartbeatAt: new Date(NOW - beatAgoMs).toISOString(), pid: 1, host: 'h',
    },
  };
}

const ids = (rs: ListedRun[]) => rs.map((r) => `${r.flow}@${Math.round((NOW - Date.parse(r.record!.startedAt)) / DAY)}`);

test('neither --keep-last nor --older-than: no run is chosen', () => {
  expect(selectRuns([run('a', 9), run('a', 1)], { now: NOW })).toEqual([]);
});

test('--keep-last N keeps the N newest of each flow', () => {
  const runs = [run('a', 5), run('a', 4), run('a', 3), run('bbbbbb', 2), run('bbbbbb', 1)];
  expect(ids(selectRuns(runs, { keepLast: 1, now: NOW }))).toEqual(['a@5', 'a@4', 'bbbbbb@2']);
  expect(ids(selectRuns(runs, { keepLast: 1, flow: 'a', now: NOW }))).toEqual(['a@5', 'a@4']);
  expect(ids(selectRuns(runs, { keepLast: 0, now: NOW }))).toHaveLength(5);
});

test('--older-than alone, and with --keep-last (both must hold)', () => {
  const runs = [run('a', 40), run('a', 35), run('a', 10), run('a', 1)];
  expect(ids(selectRuns(runs, { olderThanMs: 30 * DAY, now: NOW }))).toEqual(['a@40', 'a@35']);
  expect(ids(selectRuns(runs, { olderThanMs: 30 * DAY, keepLast: 3, now: NOW }))).toEqual(['a@40']);
});

test('a live run (fresh heartbeat) and a run without a readable record are never chosen', () => {
  const live = run('a', 50, 'running', 1000);
  const dead = run('a', 49, 'running', 10 * 60_000);
  const damaged: ListedRun = { flow: 'a', runId: '20261001T000000.000Z-dddddd', damage: 'run.json is damaged' };
  expect(ids(selectRuns([live, dead, damaged, run('a', 1)], { keepLast: 0, now: NOW }))).toEqual(['a@49', 'a@1']);
});
