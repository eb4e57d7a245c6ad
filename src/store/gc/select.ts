/**
 * Which runs `flowctl gc` removes: per flow, those beyond the newest `keepLast` and started
 * before `olderThanMs` ago (both when both are given; neither: no run goes, only unreferenced
 * objects). A live run (fresh heartbeat) is never chosen, and neither is a run whose record
 * cannot be read (what it references is unknown; `flowctl rm` removes it by name).
 */
import { isAlive } from '../liveness.js';
import type { RunRecord } from '../records.js';
import { runIdTime } from '../run-id.js';

/** A run as gc lists it. `record` is undefined when run.json is absent or damaged (`damage` says which). */
export interface ListedRun {
  flow: string;
  runId: string;
  record?: RunRecord;
  damage?: string;
}

export interface RunSelection {
  /** Keep this many of the newest runs of each flow (live ones count). */
  keepLast?: number;
  /** Only runs that started more than this many ms before `now`. */
  olderThanMs?: number;
  /** Only runs of this flow. */
  flow?: string;
  now: number;
}

/** When the run started: its record's startedAt, else the time in its id. */
export function runStartMs(r: ListedRun): number {
  const fromRecord = r.record ? Date.parse(r.record.startedAt) : NaN;
  if (Number.isFinite(fromRecord)) return fromRecord;
  return runIdTime(r.runId)?.getTime() ?? 0;
}

/** Whether the run may still be using the store: alive by its heartbeat. */
export function runIsLive(r: ListedRun, now: number): boolean {
  return r.record !== undefined && isAlive(r.record, now);
}

/** The runs gc removes, oldest first. `runs` is every run of the store (any order). */
export function selectRuns(runs: readonly ListedRun[], sel: RunSelection): ListedRun[] {
  if (sel.keepLast === undefined && sel.olderThanMs === undefined) return [];
  const byFlow = new Map<string, ListedRun[]>();
  for (const r of runs) {
    if (sel.flow !== undefined && r.flow !== sel.flow) continue;
    byFlow.set(r.flow, [...(byFlow.get(r.flow) ?? []), r]);
  }
  const out: ListedRun[] = [];
  for (const list of byFlow.values()) {
    // Run ids sort by start time (run-id.ts); newest first.
    const newestFirst = [...list].sort((a, b) => (a.runId < b.runId ? 1 : a.runId > b.runId ? -1 : 0));
    for (const [i, r] of newestFirst.entries()) {
      if (sel.keepLast !== undefined && i < sel.keepLast) continue;
      if (sel.olderThanMs !== undefined && sel.now - runStartMs(r) <= sel.olderThanMs) continue;
      if (r.record === undefined || runIsLive(r, sel.now)) continue;
      out.push(r);
    }
  }
  return out.sort((a, b) => (a.runId < b.runId ? -1 : a.runId > b.runId ? 1 : 0));
}
