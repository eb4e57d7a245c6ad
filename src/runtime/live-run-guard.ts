/** `flowctl resume` of a run that is still alive is refused (DESIGN.md §3). */
import os from 'node:os';
import { FlowctlError } from '../errors.js';
import { heartbeatAgeMs, isAlive, STALE_AFTER_MS } from '../store/liveness.js';
import type { RunRecord } from '../store/records.js';

/**
 * A second copy of a live run would execute its unfinished tasks again, side by side with the
 * first: refuse, unless the user says it is dead (`--force`) or its heartbeat has gone stale.
 * The heartbeat decides, as for `show`'s `dead?`; the process table only sharpens the hint.
 * @throws FlowctlError `RUN_ALIVE` (exit 2) when the run says running and its heartbeat is fresh.
 */
export function refuseIfAlive(origin: RunRecord): void {
  if (!isAlive(origin)) return;
  const age = Math.round(heartbeatAgeMs(origin) / 1000);
  const gone = origin.host === os.hostname() && !processExists(origin.pid);
  const next = gone
    ? `its process (pid ${origin.pid}) is gone from this machine, so it was probably killed: pass --force to resume it now`
    : `wait for it to end (flowctl show ${origin.runId}), or stop it (Ctrl-C, or kill ${origin.pid} on ${origin.host}); if it is not running any more, pass --force`;
  throw new FlowctlError(
    'RUN_ALIVE',
    `run ${origin.runId} is still running (host ${origin.host}, pid ${origin.pid}, last heartbeat ${age}s ago); resuming it now would run its unfinished tasks a second time`,
    { hint: `${next} (a run without a heartbeat for ${STALE_AFTER_MS / 1000}s is resumed without it)` },
  );
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
