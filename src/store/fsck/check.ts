/**
 * `flowctl fsck`: check a whole store, local or S3, in three streamed passes.
 *
 * 1. objects: every object listed and re-hashed in full (S3: downloaded), `concurrency` at a time;
 *    the intact ones go into a compact set (16 bytes each), so memory stays bounded on a store of
 *    a million objects;
 * 2. keys: every record read once and checked, every reference it holds (task and attempt
 *    outputs, directory manifests and their files, code snapshots and their files, attempt
 *    inputs, tag edits and index entries naming runs) followed;
 * 3. cache entries: each must lead to a succeeded task whose outputs are all intact.
 *
 * Nothing changes unless `repair`: then damaged objects are quarantined as they are found,
 * dangling cache entries are dropped, and code snapshots with a missing or damaged file are
 * dropped (a run of that code writes them again whole; on S3 a run trusts a snapshot it finds).
 * Records are never changed: a damaged one is named for a person to look at.
 */
import type { Store } from '../store.js';
import { CacheEntryChecker } from './cache-entries.js';
import { ObjectLedger } from './objects.js';
import { forEachLimit } from './pool.js';
import { ProblemSink, type FsckProblem, type FsckProblemKind } from './problems.js';
import { RecordChecker } from './records.js';

export type { FsckProblem, FsckProblemKind };

export interface FsckOptions {
  repair?: boolean;
  /** Objects re-hashed and records read at once (default: 4 on a local store, 16 on S3). */
  concurrency?: number;
  /** Called with each problem as it is found (the command prints it at once). */
  onProblem?: (p: FsckProblem) => void;
}

/** What fsck checked and found (the `--json` shape, besides `store`). */
export interface FsckResult {
  /** True when nothing is wrong. */
  ok: boolean;
  repair: boolean;
  objects: { checked: number; bytes: number; damaged: number; missing: number };
  /** Records read (runs, events, tasks, attempts, specs, tags, index entries, code snapshots, …) and what was wrong with them. */
  records: { checked: number; damaged: number; missing: number };
  /** References followed from records and manifests to objects. */
  references: number;
  cacheEntries: { checked: number; dangling: number };
  /** What --repair did (all 0 without it). */
  repaired: { objectsQuarantined: number; cacheEntriesDropped: number; codeSnapshotsDropped: number };
  /** Problems found, in the order found (at most 10,000; `problemsOmitted` counts the rest). */
  problems: FsckProblem[];
  problemsOmitted: number;
  seconds: number;
}

/** Check the store; see the file comment. Throws only when the store cannot be read (a damaged store is a result). */
export async function checkStore(store: Store, opts: FsckOptions = {}): Promise<FsckResult> {
  const started = Date.now();
  const repair = opts.repair ?? false;
  const concurrency = opts.concurrency ?? (store.objects.kind === 'local' ? 4 : 16);
  const sink = new ProblemSink(opts.onProblem);
  const ledger = new ObjectLedger(store, sink, repair);
  await ledger.scan(concurrency);

  const records = new RecordChecker(store, ledger, sink);
  const m = store.maintenance;
  await forEachLimit(m.listKeys(''), concurrency, (k) => records.check(k.key, k.kind));
  await records.finish();

  const cache = new CacheEntryChecker(store, ledger, records, sink, repair);
  await forEachLimit(m.listCacheEntries(), concurrency, (c) => cache.check(c));

  let codeDropped = 0;
  if (repair) {
    for (const hash of records.badCode) {
      await m.deleteCodeSnapshot(hash);
      codeDropped++;
    }
  }
  const c = sink.counts;
  return {
    ok: sink.total === 0,
    repair,
    objects: { checked: ledger.checked, bytes: ledger.bytes, damaged: c['damaged-object'], missing: c['missing-object'] },
    records: { checked: records.checked, damaged: c['damaged-record'], missing: c['missing-record'] },
    references: ledger.references,
    cacheEntries: { checked: cache.checked, dangling: c['dangling-cache-entry'] },
    repaired: { objectsQuarantined: repair ? c['damaged-object'] : 0, cacheEntriesDropped: cache.dropped, codeSnapshotsDropped: codeDropped },
    problems: sink.kept,
    problemsOmitted: sink.omitted,
    seconds: (Date.now() - started) / 1000,
  };
}
