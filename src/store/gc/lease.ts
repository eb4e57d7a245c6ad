/**
 * The gc lease: one `gc` or `rm` at a time per store (`locks/gc.lock`, created exclusively),
 * and `locks/gc.json`, which tells runs that a gc is running (they then mark every file they
 * reuse, Store.useOutputs) and counts gc passes (Store.keepCode). Both are refreshed while gc
 * works; a lock whose holder stopped refreshing it (killed) is taken over after LOCK_STALE_MS.
 */
import os from 'node:os';
import { isFlowctlError } from '../../errors.js';
import type { GcState } from '../records.js';
import type { Store } from '../store.js';

/** A lock not refreshed for this long belongs to a gc that died (S3 clocks may differ a little: generous). */
export const LOCK_STALE_MS = 5 * 60_000;
const REFRESH_MS = 15_000;

export interface GcLease {
  /** This gc pass's number (locks/gc.json `epoch`). */
  epoch: number;
  startedAtMs: number;
  /** Mark the gc finished and give the lock up; never throws. */
  release(): Promise<void>;
}

/**
 * Take the lease (what = 'gc' or 'rm', for the lock's text).
 * @throws FlowctlError GC_LOCKED (exit 1) when another live gc or rm holds it.
 */
export async function takeGcLease(store: Store, what: string): Promise<GcLease> {
  const m = store.maintenance;
  const startedAtMs = Date.now();
  const holder = JSON.stringify({ what, pid: process.pid, host: os.hostname(), startedAt: new Date(startedAtMs).toISOString() });
  try {
    await m.lockGc(holder);
  } catch (e) {
    const lock = isFlowctlError(e) && e.code === 'GC_LOCKED' ? await m.readGcLock() : undefined;
    if (!lock || Date.now() - lock.mtimeMs < LOCK_STALE_MS) throw e;
    await m.unlockGc();
    await m.lockGc(holder);
  }
  const epoch = Math.max(0, (await m.gcState()).epoch) + 1;
  const state = (running: boolean): GcState => ({
    epoch, running, pid: process.pid, host: os.hostname(), startedAt: new Date(startedAtMs).toISOString(), heartbeatAt: new Date().toISOString(),
    ...(running ? {} : { finishedAt: new Date().toISOString() }),
  });
  try {
    await m.writeGcState(state(true));
  } catch (e) {
    await m.unlockGc().catch(() => undefined);
    throw e;
  }
  const timer = setInterval(() => {
    void m.refreshGcLock(holder).catch(() => undefined);
    void m.writeGcState(state(true)).catch(() => undefined);
  }, REFRESH_MS);
  timer.unref();
  return {
    epoch,
    startedAtMs,
    release: async () => {
      clearInterval(timer);
      await m.writeGcState(state(false)).catch(() => undefined);
      await m.unlockGc().catch(() => undefined);
    },
  };
}
