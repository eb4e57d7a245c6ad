/**
 * What runs need to know about `flowctl gc` (the rest of gc lives in maintenance/): whether
 * one is running, and whether one ran since a run looked. A store where no gc ever ran has
 * no `locks/gc.json`, and its runs pay one small read per run for this.
 */
import type { KeyStore } from './key-store.js';
import { keys, type GcState } from './records.js';

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
    if (typeof s.epoch === 'number' && typeof s.running === 'boolean') return { epoch: s.epoch, running: s.running };
  } catch {
    // below
  }
  return { epoch: -1, running: true };
}

/** A gc was running at `before`, is running now, or started since. */
export function gcRanSince(before: GcMark, now: GcMark): boolean {
  return before.running || now.running || now.epoch !== before.epoch;
}
