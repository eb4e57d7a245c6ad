/** Small filesystem helpers shared by the local store's ports and the store. */
import { createHash, randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { constants, mkdirSync, renameSync, type BigIntStats } from 'node:fs';
import { chmod, copyFile, lstat, mkdir, readdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export function errno(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as NodeJS.ErrnoException).code : undefined;
}

/**
 * A name no other writer (thread, process, machine sharing the directory) will pick:
 * `.<prefix>-<pid>-<4 hex of the host><12 random hex>`, so a crashed writer's leftovers can be
 * told from a live one's (leftovers.ts: `writerOf`).
 */
export function tempName(prefix = 'w'): string {
  return `.${prefix}-${process.pid}-${hostTag()}${randomBytes(6).toString('hex')}`;
}

let host: string | undefined;
/** 4 hex digits naming this machine in temp names (a hash of its hostname). */
export function hostTag(): string {
  return (host ??= createHash('sha256').update(hostname()).digest('hex').slice(0, 4));
}

/**
 * Run `fn` over `items` with at most `limit` in flight. Hashing and linking thousands of
 * files one by one leaves the thread pool idle; all at once exhausts file descriptors.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * Remove a tree that may hold staged (0555) directories. A non-root user cannot delete
 * entries of a read-only directory, so `rm -rf` alone fails on a finished task dir.
 */
export async function removeTree(path: string): Promise<void> {
  const makeWritable = async (p: string): Promise<void> => {
    const st = await lstat(p).catch(() => undefined);
    if (!st?.isDirectory()) return;
    if ((st.mode & 0o700) !== 0o700) await chmod(p, (st.mode & 0o777) | 0o700);
    for (const name of await readdir(p)) await makeWritable(join(p, name));
  };
  await makeWritable(path);
  await rm(path, { recursive: true, force: true });
}

/** rename(2), creating dest's parent directories when they are missing (the rare case, so tried second). */
export async function renameInto(src: string, dest: string): Promise<void> {
  try {
    await rename(src, dest);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
    await mkdir(dirname(dest), { recursive: true });
    await rename(src, dest);
  }
}

/** renameInto for small records written synchronously (fs-keys' put). */
export function renameIntoSync(src: string, dest: string): void {
  try {
    renameSync(src, dest);
  } catch (e) {
    if (errno(e) !== 'ENOENT') throw e;
    mkdirSync(dirname(dest), { recursive: true });
    renameSync(src, dest);
  }
}

/** A private read-only copy of an object (reflink where the filesystem can): for executables, or across filesystems. */
export async function copyOut(src: string, dest: string, mode: number): Promise<void> {
  await copyFile(src, dest, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
  await chmod(dest, mode);
}

/** Same file, unchanged: a copy or hash taken between the two stats is of this content. */
export function sameStat(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}
