/**
 * fsck's view of the objects: every object re-hashed once, and what each reference finds. The
 * listing fills a compact set of intact hashes (hash-set.ts); damaged and missing ones are few
 * and kept by name. A reference to a hash the listing did not see is looked up once more before
 * it is called missing: a run writing to the store meanwhile puts objects before the records
 * that name them.
 */
import { keys } from '../records.js';
import type { Store } from '../store.js';
import { CompactHashSet } from './hash-set.js';
import { forEachLimit } from './pool.js';
import type { FsckProblem, ProblemSink } from './problems.js';

export type ObjectState = 'intact' | 'damaged' | 'missing';

/** Where a reference to an object comes from, for the problem line. */
export interface Referrer {
  /** The key of the record or manifest that names the object. */
  from: string;
  /** The output's or file's path in it. */
  path: string;
}

export class ObjectLedger {
  private readonly intact: CompactHashSet;
  private readonly bad = new Map<string, { state: 'damaged' | 'missing'; problem?: FsckProblem }>();
  /** Lookups of hashes the listing did not see, in flight (so one hash is looked up once). */
  private readonly confirming = new Map<string, Promise<ObjectState>>();
  checked = 0;
  bytes = 0;
  references = 0;

  constructor(private readonly store: Store, private readonly sink: ProblemSink, private readonly repair: boolean, expected?: number) {
    this.intact = new CompactHashSet(expected);
  }

  /** Re-hash every listed object, `concurrency` at a time. */
  async scan(concurrency: number): Promise<void> {
    const m = this.store.maintenance;
    await forEachLimit(m.listObjects(), concurrency, async (o) => {
      const state = await m.rehashObject(o.hash);
      // Gone between the listing and the read (a gc): a reference to it is judged when met.
      if (state === 'missing') return;
      this.checked++;
      this.bytes += o.size;
      if (state === 'intact') this.intact.add(o.hash);
      else await this.damaged(o.hash);
    });
  }

  /** What a reference finds; a missing or damaged object is reported the first time it is met. */
  async refer(hash: string, by: Referrer): Promise<ObjectState> {
    this.references++;
    if (this.intact.has(hash)) return 'intact';
    const known = this.bad.get(hash);
    if (known) {
      if (known.problem) {
        known.problem.references = (known.problem.references ?? 1) + 1;
        known.problem.referencedBy ??= by.from;
        known.problem.path ??= by.path;
      }
      return known.state;
    }
    let pending = this.confirming.get(hash);
    if (!pending) {
      pending = this.confirm(hash, by).finally(() => this.confirming.delete(hash));
      this.confirming.set(hash, pending);
    }
    return pending;
  }

  /** The state of a hash as far as the scan and the references so far found it, without looking again. */
  known(hash: string): ObjectState | undefined {
    if (this.intact.has(hash)) return 'intact';
    return this.bad.get(hash)?.state;
  }

  /** Bytes the intact-set holds (for the benchmark's memory figures). */
  get setBytes(): number {
    return this.intact.bytes;
  }

  private async confirm(hash: string, by: Referrer): Promise<ObjectState> {
    const m = this.store.maintenance;
    const st = await m.statObject(hash);
    const state = st ? await m.rehashObject(hash) : 'missing';
    if (state === 'intact') {
      this.checked++;
      this.bytes += st?.size ?? 0;
      this.intact.add(hash);
      return 'intact';
    }
    if (state === 'damaged') {
      this.checked++;
      this.bytes += st?.size ?? 0;
      await this.damaged(hash, by);
      return 'damaged';
    }
    const problem = this.sink.add({
      kind: 'missing-object', key: keys.object(hash), hash, referencedBy: by.from, path: by.path, references: 1,
      message: `missing object ${keys.object(hash)}: ${by.path} in ${by.from}`,
    });
    this.bad.set(hash, { state: 'missing', problem });
    return 'missing';
  }

  private async damaged(hash: string, by?: Referrer): Promise<void> {
    // Known before the quarantine's await: a reference met meanwhile finds it damaged.
    const entry: { state: 'damaged'; problem?: FsckProblem } = { state: 'damaged' };
    this.bad.set(hash, entry);
    if (this.repair) await this.store.maintenance.quarantineObject(hash);
    entry.problem = this.sink.add({
      kind: 'damaged-object', key: keys.object(hash), hash, ...(by ? { referencedBy: by.from, path: by.path, references: 1 } : {}),
      message: `damaged object ${keys.object(hash)}: its content does not match its hash${by ? ` (${by.path} in ${by.from})` : ''}`,
      ...(this.repair ? { repaired: 'quarantined' as const } : {}),
    });
  }
}
