/**
 * The store's maintenance surface, for `flowctl gc`, `rm` and `fsck`: walking every object,
 * code snapshot, cache entry and key, and removing them. Kept apart from the Store's everyday
 * methods (store.ts) because only maintenance commands list or delete; runs never do.
 * Everything here goes through the two ports, so it works the same on a local store and S3.
 */
import { ExitCode, FlowctlError } from '../errors.js';
import { readGcState, type GcMark } from './gc-state.js';
import { parseKey, type KeyKind } from './key-layout.js';
import type { KeyEntry, KeyStat } from './key-store.js';
import type { ObjectEntry, RehashResult } from './object-store.js';
import { keys, type CacheEntry, type GcState } from './records.js';
import type { Store } from './store.js';

export type { GcMark, KeyEntry, KeyKind, KeyStat, ObjectEntry, RehashResult };

/** A cache entry as a listing finds it: its key, and its record when it parses (else `problem`). */
export interface CacheEntryListing {
  cacheKey: string;
  entry?: CacheEntry;
  problem?: string;
  /** Last write of the entry (ms since the epoch). */
  mtimeMs: number;
}

export class StoreMaintenance {
  constructor(private readonly store: Store) {}

  // ---- objects ----

  /** Every object with its size and last use, streamed (memory does not grow with the store). */
  listObjects(): AsyncIterable<ObjectEntry> {
    return this.store.objects.list();
  }

  /** Size and last use of one object; undefined when absent. */
  statObject(hash: string): Promise<ObjectEntry | undefined> {
    return this.store.objects.stat(hash);
  }

  /** Re-hash the stored bytes in full (S3: download them), changing nothing. */
  rehashObject(hash: string): Promise<RehashResult> {
    return this.store.objects.rehash(hash);
  }

  /** The stored bytes as they are (unverified, no side effects); undefined when absent. */
  peekObject(hash: string): Promise<Buffer | undefined> {
    return this.store.objects.peekBytes(hash);
  }

  /** Move a damaged object aside (local: `quarantine/`; S3: `quarantine/` in the bucket), where nothing reads it. */
  quarantineObject(hash: string): Promise<void> {
    return this.store.objects.quarantine(hash);
  }

  /**
   * Remove an object unless it was used at or after `cutoffMs`, judged at the moment of removal
   * (a run that touches it meanwhile keeps it). Returns the bytes freed (0: kept or absent).
   */
  deleteObjectUnusedSince(hash: string, cutoffMs: number): Promise<number> {
    return this.store.objects.deleteUnusedSince(hash, cutoffMs);
  }

  // ---- code snapshots (`code/<hash>` manifests) ----

  /** Every code snapshot manifest's hash, with its last write. */
  async *listCodeSnapshots(): AsyncGenerator<{ hash: string; size: number; mtimeMs: number }> {
    for await (const e of this.store.kv.listAll(keys.codeDir())) {
      const k = parseKey(e.key);
      if (k.kind === 'code') yield { hash: k.hash, size: e.size, mtimeMs: e.mtimeMs };
    }
  }

  /** A code manifest's text as stored (unverified); undefined when absent. */
  peekCodeManifest(hash: string): Promise<string | undefined> {
    return this.store.kv.get(keys.code(hash));
  }

  statCodeSnapshot(hash: string): Promise<KeyStat | undefined> {
    return this.store.kv.stat(keys.code(hash));
  }

  deleteCodeSnapshot(hash: string): Promise<void> {
    return this.store.kv.delete(keys.code(hash));
  }

  // ---- cache entries ----

  /** Every cache entry, parsed (a damaged one has `problem`), streamed. */
  async *listCacheEntries(): AsyncGenerator<CacheEntryListing> {
    for await (const e of this.store.kv.listAll(keys.cacheEntriesDir())) {
      const k = parseKey(e.key);
      if (k.kind !== 'cache-entry') continue;
      try {
        const entry = await this.store.readCacheEntryStrict(k.cacheKey);
        if (entry) yield { cacheKey: k.cacheKey, entry, mtimeMs: e.mtimeMs };
      } catch (err) {
        yield { cacheKey: k.cacheKey, problem: err instanceof Error ? err.message : String(err), mtimeMs: e.mtimeMs };
      }
    }
  }

  deleteCacheEntry(cacheKey: string): Promise<void> {
    return this.store.kv.delete(keys.cacheEntry(cacheKey));
  }

  // ---- keys and runs ----

  /** Every key under prefix ('' = the whole store), with what it holds (key-layout.ts), streamed. */
  async *listKeys(prefix = ''): AsyncGenerator<KeyEntry & { kind: KeyKind }> {
    for await (const e of this.store.kv.listAll(prefix)) yield { ...e, kind: parseKey(e.key) };
  }

  /** A key's text as stored; undefined when absent. */
  readKey(key: string): Promise<string | undefined> {
    return this.store.kv.get(key);
  }

  /** A key's value as chunks (nothing when absent): a long events.ndjson is never whole in memory. */
  streamKey(key: string): AsyncIterable<Buffer> {
    return this.store.kv.stream(key);
  }

  /**
   * Remove a run's records: its directory (run.json, events, tasks, attempts, logs), its tag
   * edits and its id in the runs index; run.json first, so a run half removed by a crash is no
   * longer listed as whole. Returns how many keys went. Objects are left to gc.
   */
  async deleteRun(flow: string, runId: string): Promise<number> {
    const kv = this.store.kv;
    await kv.delete(keys.run(flow, runId));
    let n = 1 + (await kv.deleteAll(keys.runDir(flow, runId)));
    if (await kv.exists(keys.tags(flow, runId))) n++;
    await kv.delete(keys.tags(flow, runId));
    if ((await kv.get(keys.runIndex(runId)))?.trim() === flow) {
      await kv.delete(keys.runIndex(runId));
      n++;
    }
    return n;
  }

  // ---- the gc lock and state (locks/gc.lock, locks/gc.json) ----

  /** What gc is doing now (a damaged state reads as running). */
  gcState(): Promise<GcMark> {
    return readGcState(this.store.kv);
  }

  /** The full gc state record, or undefined when no gc ever ran (or it cannot be read). */
  async gcRecord(): Promise<GcState | undefined> {
    try {
      return JSON.parse((await this.store.kv.get(keys.gcState())) ?? 'null') ?? undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Take the store's gc lock (one gc or rm at a time). The lock's text names its holder.
   * @throws FlowctlError GC_LOCKED (exit 1) when another holds it; the message names the holder.
   */
  async lockGc(holder: string): Promise<void> {
    if (await this.store.kv.createExclusive(keys.gcLock(), holder)) return;
    const other = (await this.store.kv.get(keys.gcLock()))?.trim() || 'another process';
    throw new FlowctlError('GC_LOCKED', `Another gc or rm is working on ${this.store.location} (${other})`, {
      exitCode: ExitCode.StepFailed,
      hint: `Wait for it to finish. If it died, remove ${keys.gcLock()} from the store.`,
    });
  }

  /** Replace the lock's text (its holder refreshes its heartbeat there). */
  refreshGcLock(holder: string): Promise<void> {
    return this.store.kv.put(keys.gcLock(), holder);
  }

  async readGcLock(): Promise<{ text: string; mtimeMs: number } | undefined> {
    const st = await this.store.kv.stat(keys.gcLock());
    const text = await this.store.kv.get(keys.gcLock());
    return st && text !== undefined ? { text, mtimeMs: st.mtimeMs } : undefined;
  }

  unlockGc(): Promise<void> {
    return this.store.kv.delete(keys.gcLock());
  }

  /** Write locks/gc.json (runs read it: Store.gcRunning, Store.keepCode). */
  writeGcState(state: GcState): Promise<void> {
    return this.store.kv.put(keys.gcState(), `${JSON.stringify(state, null, 2)}\n`);
  }
}
