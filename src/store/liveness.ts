/** Whether a recorded run is still alive, judged by its heartbeat (DESIGN.md §3). */
import type { RunRecord } from './records.js';

/** A run is `stale` (shown `dead?`) when it says running but its heartbeat is older than this. */
export const STALE_AFTER_MS = 30_000;

/** Milliseconds since the run's last heartbeat (never negative: clocks of two machines may differ). */
export function heartbeatAgeMs(run: Pick<RunRecord, 'heartbeatAt'>, now = Date.now()): number {
  return Math.max(0, now - Date.parse(run.heartbeatAt));
}

/** The run says `running` and its heartbeat is fresh: a process is (very likely) still executing it. */
export function isAlive(run: Pick<RunRecord, 'state' | 'heartbeatAt'>, now = Date.now()): boolean {
  return run.state === 'running' && heartbeatAgeMs(run, now) <= STALE_AFTER_MS;
}
