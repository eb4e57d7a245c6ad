/**
 * What runs need to know about `flowctl gc` (the rest of gc lives in gc/): whether
 * one is running, and whether one ran since a run looked. A store where no gc ever ran has
 * no `locks/gc.json`, and its runs pay one small read per run for this.
 */
import type { KeyStore } from './key-store.js';
import { keys, type GcState } from './records.js';

/** A running gc refreshes locks/gc.json every 15 s; one silent for this long is dead. */
const GC_DEAD_AFTER_MS = 5 * 60_000;

/** What a run saw of gc when it started: compare with a later look (gcRanSince). */
export interface GcMark {
  epoch: number;
  running: boolean;
}

/** The store's gc state; a damaged one counts as a gc running (the cautious reading). */
export async function readGcState(kv: KeyStore): Promise<GcMark> {
  const text = await kv.get(keys.gcState());
  if (text === undefined) return { epoch: 0, running: false };
  try {
    const s = JSON.parse(text) as Partial<GcState>;
    if (typeof s.epoch === 'number' && typeof s.running === 'boolean') {
      // A gc that stopped refreshing its state died: runs need not keep paying for it.
      const beat = Date.parse(String(s.heartbeatAt));
      const running = s.running && !(Number.isFinite(beat) && Date.now() - beat > GC_DEAD_AFTER_MS);
      return { epoch: s.epoch, running };
    }
  } catch {
    // below
  }
  return { epoch: -1, running: true };
}

/** A gc was running at `before`, is running now, or started since. */
export function gcRanSince(before: GcMark, now: GcMark): boolean {
  return before.running || now.running || now.epoch !== before.epoch;
}
