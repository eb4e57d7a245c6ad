/**
 * The maintenance side of the local object store (fsck, gc): listing every object file,
 * re-hashing one without side effects, and removing one that nobody used since a cutoff.
 * An object's last use is its access time (fs-objects.ts sets it on every put, reuse and touch).
 */
import { link, lstat, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errno, mapLimit } from './fs-util.js';
import { hashFile, isSha256 } from './hash.js';
import type { ObjectEntry, RehashResult } from './object-store.js';

const STAT_PARALLEL = 32;

/**
 * Every object file under `objects/sha256`, shard by shard (stray names are skipped): a shard's
 * names are read whole (1/256 of the store) and stat'ed STAT_PARALLEL at a time, since one stat
 * after another leaves the thread pool idle. Memory stays at one shard.
 */
export async function* listObjectFiles(base: string): AsyncGenerator<ObjectEntry> {
  const shards = await readdir(base).catch((e) => (errno(e) === 'ENOENT' ? [] as string[] : Promise.reject(e)));
  for (const shard of shards.sort()) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    const names = await readdir(join(base, shard)).catch((e) => (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR' ? [] as string[] : Promise.reject(e)));
    const hashes = names.filter((n) => isSha256(n) && n.startsWith(shard));
    const entries = await mapLimit(hashes, STAT_PARALLEL, (h) => objectEntry(join(base, shard, h), h));
    for (const e of entries) if (e) yield e;
  }
}

/** Size and last use of an object file; undefined when absent. */
export async function objectEntry(path: string, hash: string): Promise<ObjectEntry | undefined> {
  const st = await lstat(path).catch((e) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)));
  return st ? { hash, size: st.size, usedAtMs: st.atimeMs } : undefined;
}

/** A full re-hash of the file, changing nothing (not even its verified-stat mark). */
export async function rehashFile(path: string, hash: string): Promise<RehashResult> {
  const st = await lstat(path).catch((e) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)));
  if (!st) return 'missing';
  if (!st.isFile()) return 'damaged';
  const actual = await hashFile(path, { quiet: true }).catch((e) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)));
  if (!actual) return 'missing';
  return actual.hash === hash ? 'intact' : 'damaged';
}

/**
 * Remove the object at `path` unless it was used at or after `cutoffMs`. The file is first
 * renamed aside (atomically: a run reaching for it from then on finds it missing, and treats
 * that as a cache miss), then its last use is read again: a run that touched it between the
 * first look and the rename keeps it, and it is linked back. Returns the bytes freed.
 */
export async function deleteUnusedSince(path: string, aside: string, cutoffMs: number): Promise<number> {
  const before = await lstat(path).catch(() => undefined);
  if (!before || before.atimeMs >= cutoffMs) return 0;
  try {
    await rename(path, aside);
  } catch (e) {
    if (errno(e) === 'ENOENT') return 0;
    throw e;
  }
  const after = await lstat(aside);
  if (after.atimeMs >= cutoffMs) {
    // Used meanwhile: back in place (a copy put since then is the same content; keep that one).
    await link(aside, path).catch((e) => {
      if (errno(e) !== 'EEXIST') throw e;
    });
    await unlink(aside);
    return 0;
  }
  await unlink(aside);
  return after.size;
}
