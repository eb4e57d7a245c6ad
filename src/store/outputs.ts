/**
 * Task outputs in and out of the store: collect a declared output (file or directory) as
 * objects, and stage one back into a task directory as read-only hardlinks.
 *
 * Collecting never reaches outside the task directory: a declared path is resolved with every
 * symlink along it (its own, a parent folder's, the task directory's) and must land inside;
 * only a path reached without any symlink is moved into the store, the rest is copied.
 */
import { chmod, lstat, mkdir, readdir, readlink, stat, symlink } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join } from 'node:path';
import { FlowctlError } from '../errors.js';
import { mapLimit } from './fs-util.js';
import { dirManifestJson, EXEC_MODE, parseDirManifest, type DirManifestEntry } from './manifest.js';
import { linkProblem, realInside, resolveInside, taskRoot } from './output-paths.js';
import type { ObjectStore } from './object-store.js';
import type { OutputEntry } from './records.js';

const PARALLEL = 16;

/** A file found in a directory output, and whether it may be moved (a symlink's target may not). */
interface Found {
  path: string;
  abs: string;
  movable: boolean;
  exec: boolean;
}

/** What a directory walk collects besides files. */
interface Walk {
  dirs: string[];
  links: Array<{ path: string; target: string }>;
  files: Found[];
}

/** A store object that staging hard-linked (not copied) to `dest`: what to re-check after the task ran. */
export interface LinkedObject {
  dest: string;
  hash: string;
  size: number;
}

/**
 * Collect the declared output `relPath` of the task in `taskDir` (moved in when `move` and
 * reached without a symlink, else copied). Errors (exit 1): OUTPUT_PATH, OUTPUT_MISSING,
 * OUTPUT_SYMLINK (through a link out of the task dir or the output, broken, looping), OUTPUT_UNSUPPORTED.
 */
export async function putOutput(objects: ObjectStore, taskDir: string, relPath: string, opts: { move: boolean }): Promise<OutputEntry> {
  const path = normalizeRel(relPath);
  const root = await taskRoot(taskDir);
  const abs = join(root, path);
  const real = await resolveInside(abs, root, path);
  // Reached through a symlink: copied, never moved (the target may be another output, or the task's own input).
  const move = opts.move && real === abs;
  const st = await lstat(real);
  if (st.isFile()) {
    const info = await objects.putFile(real, { move });
    return { path, type: 'file', hash: info.hash, size: info.size, ...(isExec(st) ? { mode: EXEC_MODE } : {}) };
  }
  if (!st.isDirectory()) throw notRegular(path);
  const walk: Walk = { dirs: [], links: [], files: [] };
  await walkOutput(real, '', [real], { movable: move, followed: false }, real, path, walk);
  // Symlinked copies in a first pass: their targets may be among the files that get moved.
  const put = (list: Found[]) => mapLimit(list, PARALLEL, async (f) => ({ f, info: await objects.putFile(f.abs, { move: f.movable }) }));
  const stored = [...await put(walk.files.filter((f) => !f.movable)), ...await put(walk.files.filter((f) => f.movable))];
  const entries: DirManifestEntry[] = [
    ...walk.dirs.map((d) => ({ path: d, type: 'dir' as const })),
    ...walk.links.map((l) => ({ path: l.path, type: 'symlink' as const, target: l.target })),
  ];
  let size = 0;
  for (const { f, info } of stored) {
    size += info.size;
    entries.push({ path: f.path, type: 'file', hash: info.hash, size: info.size, ...(f.exec ? { mode: EXEC_MODE } : {}) });
  }
  const manifest = await objects.putBytes(dirManifestJson(entries));
  return { path, type: 'dir', hash: manifest.hash, size };
}

/**
 * List a directory output. A relative link that stays inside the output through directories
 * only is kept as a link; any other link inside the output is followed and its content stored.
 * `chain` holds the real paths of the directories being walked, so following a link back to
 * one of them is reported instead of recursing forever.
 */
async function walkOutput(
  dirAbs: string, prefix: string, chain: string[], at: { movable: boolean; followed: boolean }, root: string, outPath: string, w: Walk,
): Promise<void> {
  const { movable } = at;
  for (const ent of await readdir(dirAbs, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${ent.name}` : ent.name;
    const abs = join(dirAbs, ent.name);
    if (ent.isFile()) {
      w.files.push({ path: rel, abs, movable, exec: isExec(await lstat(abs)) });
    } else if (ent.isDirectory()) {
      w.dirs.push(rel);
      await walkOutput(abs, rel, [...chain, abs], at, root, outPath, w);
    } else if (ent.isSymbolicLink()) {
      const target = await readlink(abs);
      // Kept as a link only in the real tree (below a followed link, paths are not what they seem).
      if (!at.followed && !(await linkProblem(root, rel, target))) {
        w.links.push({ path: rel, target });
        continue;
      }
      const real = await realInside(abs, root, `${outPath}/${rel}`);
      const st = await stat(real);
      if (st.isFile()) {
        w.files.push({ path: rel, abs: real, movable: false, exec: isExec(st) });
      } else if (st.isDirectory()) {
        if (chain.includes(real)) {
          throw new FlowctlError('OUTPUT_SYMLINK', `Output ${outPath}/${rel} is a symlink to one of its own parent directories`, { exitCode: 1 });
        }
        w.dirs.push(rel);
        await walkOutput(real, rel, [...chain, real], { movable: false, followed: true }, root, outPath, w);
      } else {
        throw notRegular(`${outPath}/${rel}`);
      }
    } else {
      throw notRegular(`${outPath}/${rel}`);
    }
  }
}

/**
 * Recreate an output at destPath from the store: files are hardlinks of the objects
 * (0444), links are links again; directories are made read-only (0555) once filled, so a
 * downstream task can neither change nor add to its inputs. Returns the hard-linked objects.
 */
export async function stageOutput(objects: ObjectStore, entry: OutputEntry, destPath: string): Promise<LinkedObject[]> {
  if (entry.type === 'file') {
    const exec = isExecMode(entry.mode);
    await objects.materialize(entry.hash, destPath, { executable: exec, size: entry.size });
    return exec ? [] : [{ dest: destPath, hash: entry.hash, size: entry.size }];
  }
  const entries = parseDirManifest((await objects.getBytes(entry.hash)).toString('utf8'), entry.hash);
  const dirs = entries.filter((e) => e.type === 'dir').map((e) => e.path);
  await mkdir(destPath, { recursive: true });
  for (const d of dirs) await mkdir(join(destPath, d), { recursive: true });
  const linked: LinkedObject[] = [];
  await mapLimit(entries, PARALLEL, async (e) => {
    if (e.type === 'file') {
      const dest = join(destPath, e.path);
      await objects.materialize(e.hash, dest, { executable: isExecMode(e.mode), size: e.size });
      if (!isExecMode(e.mode)) linked.push({ dest, hash: e.hash, size: e.size });
    } else if (e.type === 'symlink') {
      await symlink(e.target, join(destPath, e.path));
    }
  });
  // Deepest first: a 0555 parent would not stop root, but it would stop everyone else.
  for (const d of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) await chmod(join(destPath, d), 0o555);
  await chmod(destPath, 0o555);
  return linked;
}

/** Declared output paths are relative to the task dir and may not climb out of it. */
function normalizeRel(relPath: string): string {
  const parts = relPath.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (relPath.startsWith('/') || parts.length === 0 || parts.includes('..')) {
    throw new FlowctlError('OUTPUT_PATH', `Output path ${JSON.stringify(relPath)} must be relative to the task directory and stay inside it`);
  }
  return parts.join('/');
}

function isExec(st: Stats): boolean {
  return (st.mode & 0o111) !== 0;
}

function isExecMode(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o111) !== 0;
}

function notRegular(path: string): FlowctlError {
  return new FlowctlError('OUTPUT_UNSUPPORTED', `Output ${path} is neither a file nor a directory (a socket, FIFO or device?)`, { exitCode: 1 });
}
