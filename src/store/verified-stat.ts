/**
 * The verified-stat check that keeps "verify before use" cheap (DESIGN §4). Every object file
 * flowctl writes (store objects, the S3 cache's copies) is made read-only (0444) and given a
 * fixed mtime once its content is known to match its hash. Writing to a file moves its mtime
 * to the current time, and making it writable changes its mode, so an object whose lstat still
 * shows (regular file, 0444, the sentinel mtime, the expected size) has not been written since
 * it was verified: one lstat instead of a re-hash. Anything else is re-hashed; a good hash
 * resets the stat, a bad one hands the file to the caller's quarantine.
 *
 * ctime cannot take part: hard-linking an object into a task directory changes it. What the
 * check cannot see is a deliberate write that restores mode and mtime afterwards, or bit rot
 * underneath the filesystem; a full re-hash (`fsck`) is the answer to those.
 */
import type { BigIntStats, Stats } from 'node:fs';
import { lstatSync } from 'node:fs';
import { chmod, lstat, utimes } from 'node:fs/promises';
import { errno, sameStat } from './fs-util.js';
import { hashFile } from './hash.js';

/** The mtime of a verified object: 2000-01-01T00:00:00Z (whole seconds survive every filesystem). */
export const VERIFIED_MTIME_S = 946_684_800;
const VERIFIED_MTIME_MS = VERIFIED_MTIME_S * 1000;
export const OBJECT_MODE = 0o444;

/**
 * What a check found: `intact` (unchanged since verified), `repaired` (its stat had changed but
 * its content still matches: stat reset), `damaged` (content no longer matches: moved aside),
 * `missing` (no such file).
 */
export type ObjectCheck = 'intact' | 'repaired' | 'damaged' | 'missing';

/** True when the stat proves nothing wrote to the file since flowctl verified it. */
export function looksVerified(st: Stats | BigIntStats, size?: number): boolean {
  return st.isFile() && (Number(st.mode) & 0o7777) === OBJECT_MODE && Number(st.mtimeMs) === VERIFIED_MTIME_MS &&
    (size === undefined || Number(st.size) === size);
}

/** lstat without throwing: undefined when the path does not exist (or cannot be reached). */
export function lstatQuiet(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Mark a file whose content was just found to match its hash. `atime` defaults to now (the S3
 * cache keeps its LRU order in atime). Not being allowed to (a store shared with another user
 * who owns the file) only means the next use re-hashes it.
 */
export async function markVerified(path: string, opts: { atime?: Date; mode?: number } = {}): Promise<void> {
  try {
    if (opts.mode === undefined || (opts.mode & 0o7777) !== OBJECT_MODE) await chmod(path, OBJECT_MODE);
    await utimes(path, opts.atime ?? new Date(), VERIFIED_MTIME_S);
  } catch (e) {
    if (errno(e) !== 'EPERM' && errno(e) !== 'EACCES' && errno(e) !== 'EROFS') throw e;
  }
}

/**
 * Check the file that holds object `hash`: by stat when it looks verified, else by re-hashing it.
 * `quarantine(ino)` is called for a file whose content does not match (it receives the inode
 * that was hashed, so it moves nothing else that may have replaced it meanwhile).
 * `repair: false` (read-only checks): a good file's stat is left as found, its access time too
 * (the object's last use, which gc reads, must not move for a look).
 */
export async function checkObjectFile(
  path: string, hash: string, opts: { size?: number; repair?: boolean; quarantine(ino: bigint): Promise<void> },
): Promise<ObjectCheck> {
  // A file being written while it is hashed is hashed again once; still moving after that, it is damaged.
  for (let round = 0; round < 2; round++) {
    const st = lstatQuiet(path);
    if (!st) return 'missing';
    if (looksVerified(st, opts.size)) return 'intact';
    const before = await lstat(path, { bigint: true }).catch(() => undefined);
    if (!before) return 'missing';
    if (!before.isFile()) {
      await opts.quarantine(before.ino);
      return 'damaged';
    }
    const actual = await hashFile(path, { quiet: opts.repair === false }).catch((e) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)));
    if (!actual) return 'missing';
    const after = await lstat(path, { bigint: true }).catch(() => undefined);
    if (!after) return 'missing';
    if (!sameStat(before, after)) continue;
    if (actual.hash !== hash) {
      await opts.quarantine(after.ino);
      return 'damaged';
    }
    if (opts.repair !== false) await markVerified(path, { mode: Number(after.mode) });
    return 'repaired';
  }
  const last = await lstat(path, { bigint: true }).catch(() => undefined);
  if (!last) return 'missing';
  await opts.quarantine(last.ino);
  return 'damaged';
}

/** Same inode as the one hashed: quarantine moves only the file that was found bad. */
export function sameInode(path: string, ino: bigint): boolean {
  try {
    return (lstatSync(path, { bigint: true }) as BigIntStats).ino === ino;
  } catch {
    return false;
  }
}
