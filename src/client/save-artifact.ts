/**
 * Saving an artifact to a local path (`show … -o`, `Artifact.saveTo`): the copy is exact (file
 * modes, empty directories, links as stored) and all or nothing. Everything is built in a
 * hidden sibling of the destination from verified content and renamed into place at the end;
 * a failure removes it and any parent directory the save created, so nothing is left behind.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, rename, rmdir, symlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExitCode, FlowctlError } from '../errors.js';
import { mapLimit, removeTree } from '../store/fs-util.js';
import type { DirManifestEntry } from '../store/manifest.js';

/** What to save: one file, or a directory's manifest entries (paths relative to it). */
export type SaveItem =
  | { type: 'file'; hash: string; size: number; mode?: number }
  | { type: 'dir'; entries: DirManifestEntry[] };

/** Opens one file's verified content; `rel` is its path inside the item ('' for a file item). */
export type OpenVerified = (hash: string, size: number, rel: string) => Readable;

const PARALLEL = 4;

/**
 * Save `item` at `target` (absolute). Refuses an existing path unless `overwrite`, which
 * replaces it whole (a directory is not merged into).
 */
export async function saveItem(target: string, item: SaveItem, open: OpenVerified, opts: { overwrite?: boolean } = {}): Promise<void> {
  if (!opts.overwrite && (await exists(target))) {
    throw new FlowctlError('FILE_EXISTS', `${target} already exists`, { exitCode: ExitCode.Usage, hint: 'Pass --force (client API: { overwrite: true }) to replace it, or choose another path.' });
  }
  const parent = dirname(target);
  const created = await mkdir(parent, { recursive: true });
  const tmp = join(parent, `.${basename(target)}.flowctl-${randomBytes(4).toString('hex')}`);
  try {
    if (item.type === 'file') await writeFile(tmp, item, open, '');
    else await writeTree(tmp, item.entries, open);
    await replace(tmp, target);
  } catch (e) {
    await removeTree(tmp).catch(() => undefined);
    if (created !== undefined) await removeEmptyDirs(parent, created);
    throw e;
  }
}

async function writeTree(root: string, entries: DirManifestEntry[], open: OpenVerified): Promise<void> {
  await mkdir(root);
  // Parents first (sorted paths put a directory before what it holds); links last, so nothing is written through one.
  for (const e of [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    if (e.type === 'dir') await mkdir(join(root, e.path));
  }
  await mapLimit(entries.filter((e) => e.type === 'file'), PARALLEL, async (e) => {
    if (e.type === 'file') await writeFile(join(root, e.path), e, open, e.path);
  });
  for (const e of entries) if (e.type === 'symlink') await symlink(e.target, join(root, e.path));
}

async function writeFile(dest: string, f: { hash: string; size: number; mode?: number }, open: OpenVerified, rel: string): Promise<void> {
  // The umask applies, as for any file the user creates; the executable bit is what the store keeps.
  const mode = f.mode !== undefined && (f.mode & 0o111) !== 0 ? 0o777 : 0o666;
  await pipeline(open(f.hash, f.size, rel), createWriteStream(dest, { flags: 'wx', mode }));
}

/** Rename tmp to target; an existing target (overwrite) is moved aside first and removed after. */
async function replace(tmp: string, target: string): Promise<void> {
  if (!(await exists(target))) return rename(tmp, target);
  const old = join(dirname(target), `.${basename(target)}.flowctl-old-${randomBytes(4).toString('hex')}`);
  await rename(target, old);
  try {
    await rename(tmp, target);
  } catch (e) {
    await rename(old, target).catch(() => undefined);
    throw e;
  }
  await removeTree(old);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(() => true, () => false);
}

/** Remove dir and its parents up to (and including) `top` while they are empty: the ones this save created. */
async function removeEmptyDirs(dir: string, top: string): Promise<void> {
  for (let d = dir; d.length >= top.length; d = dirname(d)) {
    if (!(await rmdir(d).then(() => true, () => false))) return;
    if (d === top) return;
  }
}
