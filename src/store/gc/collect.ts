/**
 * `flowctl gc` and `flowctl rm`: remove runs, then everything no kept run needs. The protocol
 * that keeps runs safe while gc works (README "Maintaining a store"):
 *
 * 1. Take the lease (lease.ts): one gc at a time; locks/gc.json says `running`, so every run
 *    from now on marks each object it reuses as used (Store.useOutputs), and a run that found
 *    its code snapshot without touching it re-touches it (Store.keepCode).
 * 2. The cutoff: gc's start minus a grace (clock skew between machines), and no later than the
 *    start of any live run (fresh heartbeat) or any run whose id was claimed but whose record
 *    is not written yet. An object used (put, reused, touched) at or after the cutoff is kept
 *    whatever references it, and so is every file of a directory manifest used after it.
 * 3. Mark: every object and code snapshot a kept run references (references.ts). A kept run
 *    whose records cannot be read stops gc before anything is removed.
 * 4. Remove the chosen runs' records, then cache entries that point at a removed run, or at no
 *    kept run unless written after the cutoff, then objects and code snapshots neither marked nor used after
 *    the cutoff, each judged again at the moment it goes (deleteUnusedSince), then crash leftovers.
 *
 * A run that reuses an object gc removes at that very moment finds it missing: that is a cache
 * miss, and the task runs again. `dryRun` changes nothing (no lease either) and reports what
 * would go.
 */
import { ExitCode, FlowctlError } from '../../errors.js';
import { STALE_AFTER_MS } from '../liveness.js';
import { ReferenceWalker, type RefProblem } from '../references.js';
import { runIdTime } from '../run-id.js';
import type { Store } from '../store.js';
import { takeGcLease } from './lease.js';
import { listRuns, resolveRunArgs } from './list-runs.js';
import { runIsLive, runStartMs, selectRuns, type ListedRun } from './select.js';

/** Objects used this recently before gc started are kept whatever references them (other machines' clocks). */
export const DEFAULT_GRACE_MS = 10 * 60_000;

export interface GcOptions {
  /** gc: keep this many newest runs per flow. */
  keepLast?: number;
  /** gc: only runs that started more than this long ago. */
  olderThanMs?: number;
  /** gc: only runs of this flow. */
  flow?: string;
  /** rm: exactly these runs (RUN_ID, FLOW/RUN_ID, FLOW/latest). */
  runs?: string[];
  dryRun?: boolean;
  graceMs?: number;
}

/** A run gc removed (or would remove). */
export interface GcRun {
  flow: string;
  runId: string;
  /** run.json's state; `damaged` when it cannot be read. */
  state: string;
  startedAt: string | null;
}

export interface GcCount {
  count: number;
  bytes: number;
}

/** What gc did (or, with dryRun, would do). Sizes in bytes. */
export interface GcResult {
  dryRun: boolean;
  runs: GcRun[];
  cacheEntries: number;
  objects: GcCount;
  codeSnapshots: GcCount;
  leftovers: GcCount;
  /** Objects kept: referenced by a kept run, or used after the cutoff (`recent`). */
  kept: { objects: number; bytes: number; recent: number };
  /** Objects looked at. */
  scanned: number;
  /** objects + codeSnapshots + leftovers. */
  bytesFreed: number;
  /** Objects used at or after this time were kept (ISO). */
  cutoff: string;
  durationMs: number;
}

/**
 * Run gc (or rm, with `runs`).
 * @throws FlowctlError GC_LOCKED (exit 1) when another gc holds the store, RUN_NOT_FOUND (exit 2)
 * for an unknown run, RUN_LIVE (exit 1) when rm names a live run, GC_DAMAGED (exit 1) when a kept
 * run's records cannot be read (nothing is removed then).
 */
export async function collectGarbage(store: Store, opts: GcOptions): Promise<GcResult> {
  const began = Date.now();
  const dryRun = opts.dryRun ?? false;
  const lease = dryRun ? undefined : await takeGcLease(store, opts.runs ? 'rm' : 'gc');
  try {
    const start = lease?.startedAtMs ?? began;
    const runs = await listRuns(store);
    const chosen = opts.runs ? chooseNamed(runs, opts.runs, store.location, start) : selectRuns(runs, { ...opts, now: start });
    const removed = new Set(chosen.map(runKey));
    const kept = runs.filter((r) => !removed.has(runKey(r)));
    const cutoff = await cutoffMs(store, runs, start - (opts.graceMs ?? DEFAULT_GRACE_MS), start);

    const keep = new Set<string>();
    const keepCode = new Set<string>();
    const problems: RefProblem[] = [];
    // A kept task that was itself reused (state cached) answers its cache key as well as the
    // removed task its entry names: the entry is pointed at it instead of dropped, so the runs
    // gc keeps still serve as cache.
    const heirs = new Map<string, { flow: string; runId: string; step: string; taskId: string }>();
    const walker = new ReferenceWalker(store, {
      onTask: (ref, rec) => {
        if (rec.cacheKey && (rec.state === 'succeeded' || rec.state === 'cached') && !heirs.has(rec.cacheKey)) heirs.set(rec.cacheKey, ref);
      },
    });
    for (const r of kept) {
      for await (const ref of walker.run(r.flow, r.runId)) {
        if (ref.kind === 'object') keep.add(ref.hash);
        else if (ref.kind === 'code') keepCode.add(ref.hash);
        else if (ref.problem === 'damaged') problems.push(ref);
        // A missing manifest references nothing more: fsck's to report.
      }
    }
    if (problems.length > 0) throw damagedKeptRuns(problems);
    await keepFilesOfRecentManifests(store, chosen, keep, keepCode, cutoff);

    const result: GcResult = {
      dryRun, runs: chosen.map(describe), cacheEntries: 0, objects: zero(), codeSnapshots: zero(), leftovers: zero(),
      kept: { objects: 0, bytes: 0, recent: 0 }, scanned: 0, bytesFreed: 0, cutoff: new Date(cutoff).toISOString(), durationMs: 0,
    };
    const m = store.maintenance;
    if (!dryRun) for (const r of chosen) await m.deleteRun(r.flow, r.runId);

    const keptRuns = new Set(kept.map(runKey));
    for await (const e of m.listCacheEntries()) {
      if (!e.entry || keptRuns.has(`${e.entry.flow}/${e.entry.runId}`)) continue;
      // A recent entry may name a run whose record is not written yet, so it stays; one naming a
      // run removed just now can never be good again (fsck would call it dangling), so it goes.
      if (e.mtimeMs >= cutoff && !removed.has(`${e.entry.flow}/${e.entry.runId}`)) continue;
      const heir = heirs.get(e.cacheKey);
      if (heir) {
        if (!dryRun) await store.writeCacheEntry(e.cacheKey, heir);
        continue;
      }
      if (!dryRun) await m.deleteCacheEntry(e.cacheKey);
      result.cacheEntries++;
    }

    for await (const o of m.listObjects()) {
      result.scanned++;
      if (keep.has(o.hash) || o.usedAtMs >= cutoff) {
        result.kept.objects++;
        result.kept.bytes += o.size;
        if (!keep.has(o.hash)) result.kept.recent++;
        continue;
      }
      const freed = dryRun ? o.size : await m.deleteObjectUnusedSince(o.hash, cutoff);
      // 0 bytes: kept because a run used it meanwhile, or an empty object that went.
      const went = freed > 0 || dryRun || (o.size === 0 && (await m.statObject(o.hash)) === undefined);
      if (went) add(result.objects, freed);
      else result.kept.recent++;
    }

    for await (const c of m.listCodeSnapshots()) {
      if (keepCode.has(c.hash) || c.mtimeMs >= cutoff) continue;
      if (!dryRun) await m.deleteCodeSnapshot(c.hash);
      add(result.codeSnapshots, c.size);
    }

    const left = await store.removeLeftovers({ dryRun });
    result.leftovers = { count: left.dirs.length + left.files, bytes: left.bytes };
    result.bytesFreed = result.objects.bytes + result.codeSnapshots.bytes + result.leftovers.bytes;
    result.durationMs = Date.now() - began;
    return result;
  } finally {
    await lease?.release();
  }
}

/** rm's runs: named, never live. */
function chooseNamed(runs: readonly ListedRun[], args: readonly string[], location: string, now: number): ListedRun[] {
  const named = resolveRunArgs(runs, args, location);
  const live = named.filter((r) => runIsLive(r, now));
  if (live.length > 0) {
    throw new FlowctlError('RUN_LIVE', `${live.map(runKey).join(', ')} ${live.length === 1 ? 'is' : 'are'} still running (fresh heartbeat): not removed`, {
      exitCode: ExitCode.StepFailed,
      hint: 'Stop the run first (Ctrl-C in its terminal), or wait for it to finish.',
    });
  }
  return named;
}

/**
 * The cutoff: `base` (gc's start less the grace), or earlier: the start of any live run and of
 * any run claimed (runs/<id>) recently whose record is not written yet.
 */
async function cutoffMs(store: Store, runs: readonly ListedRun[], base: number, now: number): Promise<number> {
  let cutoff = base;
  for (const r of runs) if (runIsLive(r, now)) cutoff = Math.min(cutoff, runStartMs(r));
  const listed = new Set(runs.map((r) => r.runId));
  for (const id of await store.listRunIds()) {
    const t = runIdTime(id)?.getTime();
    if (t !== undefined && !listed.has(id) && now - t < STALE_AFTER_MS * 10) cutoff = Math.min(cutoff, t);
  }
  return cutoff;
}

/**
 * A directory manifest (or code snapshot) of a removed run that a live run reused after the
 * cutoff keeps every file in it: the run may not have marked each file (on S3 it marks the
 * manifest only, unless it saw a gc running).
 */
async function keepFilesOfRecentManifests(store: Store, removed: readonly ListedRun[], keep: Set<string>, keepCode: Set<string>, cutoff: number): Promise<void> {
  const files = new Map<string, string[]>();
  const walker = new ReferenceWalker(store);
  for (const r of removed) {
    for await (const ref of walker.run(r.flow, r.runId)) {
      if (ref.kind !== 'object' || (ref.role !== 'dir-file' && ref.role !== 'code-file')) continue;
      const owner = ref.role === 'dir-file' ? `o:${ref.from.slice(ref.from.lastIndexOf('/') + 1)}` : `c:${ref.from.slice('code/'.length)}`;
      if (keep.has(owner.slice(2)) || keepCode.has(owner.slice(2))) continue;
      files.set(owner, [...(files.get(owner) ?? []), ref.hash]);
    }
  }
  const m = store.maintenance;
  for (const [owner, hashes] of files) {
    const hash = owner.slice(2);
    const used = owner.startsWith('o:') ? (await m.statObject(hash))?.usedAtMs : (await m.statCodeSnapshot(hash))?.mtimeMs;
    if (used === undefined || used < cutoff) continue;
    for (const h of hashes) keep.add(h);
    if (owner.startsWith('c:')) keepCode.add(hash);
  }
}

function damagedKeptRuns(problems: RefProblem[]): FlowctlError {
  const shown = problems.slice(0, 5).map((p) => `  ${p.reason}`).join('\n');
  const more = problems.length > 5 ? `\n  … and ${problems.length - 5} more` : '';
  return new FlowctlError('GC_DAMAGED', `nothing was removed: what these records reference is unknown, so nothing it might need can go:\n${shown}${more}`, {
    exitCode: ExitCode.StepFailed,
    hint: `Remove the damaged runs with \`flowctl rm RUN\` (or repair them), then run gc again. The first is in ${runDirOf(problems[0]!.key)}.`,
  });
}

function runDirOf(key: string): string {
  return key.split('/').slice(0, 4).join('/');
}

function describe(r: ListedRun): GcRun {
  return { flow: r.flow, runId: r.runId, state: r.record?.state ?? (r.damage ? 'damaged' : 'unknown'), startedAt: r.record?.startedAt ?? null };
}

function runKey(r: { flow: string; runId: string }): string {
  return `${r.flow}/${r.runId}`;
}

function zero(): GcCount {
  return { count: 0, bytes: 0 };
}

function add(c: GcCount, bytes: number): void {
  c.count++;
  c.bytes += bytes;
}

