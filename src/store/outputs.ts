/**
 * Task outputs in and out of the store: collect a declared output (file or directory) as
 * objects, and stage one back into a task directory as read-only hardlinks.
 */
import { chmod, lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { FlowctlError } from '../errors.js';
import { errno, mapLimit } from './fs-util.js';
import { dirManifestJson, EXEC_MODE, parseDirManifest, type DirManifestEntry } from './manifest.js';
import type { StoreBackend } from './port.js';
import type { OutputEntry } from './records.js';

const PARALLEL = 16;

/** A file found in a directory output, and whether it may be moved (a symlink's target may not). */
interface Found {
  path: string;
  abs: string;
  movable: boolean;
  exec: boolean;
}

export async function putOutput(backend: StoreBackend, taskDir: string, relPath: string, opts: { move: boolean }): Promise<OutputEntry> {
  const path = normalizeRel(relPath);
  const abs = join(taskDir, path);
  let st: Stats;
  try {
    st = await lstat(abs);
  } catch (e) {
    if (errno(e) !== 'ENOENT' && errno(e) !== 'ENOTDIR') throw e;
    throw new FlowctlError('OUTPUT_MISSING', `Declared output ${path} was not created by the task (expected at ${abs})`, {
      exitCode: 1,
      hint: 'Write the file (or directory) at that path relative to the task directory, or remove it from `outputs`.',
    });
  }
  let src = abs;
  let move = opts.move;
  if (st.isSymbolicLink()) {
    // The task linked its output to something it produced elsewhere: store the target's
    // content, never move it (another path may still point there).
    src = await realInside(abs, await realpath(taskDir), path);
    st = await stat(src);
    move = false;
  }
  if (st.isFile()) {
    const info = await backend.putObjectFile(src, { move });
    return { path, type: 'file', hash: info.hash, size: info.size, ...(isExec(st) ? { mode: EXEC_MODE } : {}) };
  }
  if (!st.isDirectory()) throw notRegular(path);
  const realDir = await realpath(src);
  const dirs: string[] = [];
  const files: Found[] = [];
  await walkOutput(realDir, '', [realDir], move, realDir, path, dirs, files);
  // Symlinked copies in a first pass: their targets may be among the files that get moved.
  const put = (list: Found[]) => mapLimit(list, PARALLEL, async (f) => ({ f, info: await backend.putObjectFile(f.abs, { move: f.movable }) }));
  const stored = [...await put(files.filter((f) => !f.movable)), ...await put(files.filter((f) => f.movable))];
  const entries: DirManifestEntry[] = dirs.map((d) => ({ path: d, type: 'dir' as const }));
  let size = 0;
  for (const { f, info } of stored) {
    size += info.size;
    entries.push({ path: f.path, type: 'file', hash: info.hash, size: info.size, ...(f.exec ? { mode: EXEC_MODE } : {}) });
  }
  const manifest = await backend.putObjectBytes(dirManifestJson(entries));
  return { path, type: 'dir', hash: manifest.hash, size };
}

/**
 * List a directory output. `chain` holds the real paths of the directories being walked,
 * so a symlink back to one of them is reported instead of recursing forever.
 */
async function walkOutput(
  dirAbs: string, prefix: string, chain: string[], movable: boolean, root: string, outPath: string, dirs: string[], files: Found[],
): Promise<void> {
  for (const ent of await readdir(dirAbs, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${ent.name}` : ent.name;
    const abs = join(dirAbs, ent.name);
    if (ent.isFile()) {
      files.push({ path: rel, abs, movable, exec: isExec(await lstat(abs)) });
    } else if (ent.isDirectory()) {
      dirs.push(rel);
      await walkOutput(abs, rel, [...chain, abs], movable, root, outPath, dirs, files);
    } else if (ent.isSymbolicLink()) {
      const target = await realInside(abs, root, `${outPath}/${rel}`);
      const st = await stat(target);
      if (st.isFile()) {
        files.push({ path: rel, abs: target, movable: false, exec: isExec(st) });
      } else if (st.isDirectory()) {
        if (chain.includes(target)) {
          throw new FlowctlError('OUTPUT_SYMLINK', `Output ${outPath}/${rel} is a symlink to one of its own parent directories`, { exitCode: 1 });
        }
        dirs.push(rel);
        await walkOutput(target, rel, [...chain, target], false, root, outPath, dirs, files);
      } else {
        throw notRegular(`${outPath}/${rel}`);
      }
    } else {
      throw notRegular(`${outPath}/${rel}`);
    }
  }
}

/** Resolve a symlink and insist that it stays inside `root` (the output), or the output would not be self-contained. */
async function realInside(linkAbs: string, root: string, shown: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(linkAbs);
  } catch (e) {
    throw new FlowctlError('OUTPUT_SYMLINK', `Output ${shown} is a broken symlink`, { exitCode: 1, cause: e });
  }
  if (target !== root && !target.startsWith(root + sep)) {
    throw new FlowctlError('OUTPUT_SYMLINK', `Output ${shown} is a symlink to ${target}, outside the output`, {
      exitCode: 1,
      hint: 'Copy the file into the output instead of linking to it; only links inside the output are followed.',
    });
  }
  return target;
}

/**
 * Recreate an output at destPath from the store: files are hardlinks of the objects
 * (0444); directories are made read-only (0555) once filled, so a downstream task can
 * neither change nor add to its inputs.
 */
export async function stageOutput(backend: StoreBackend, entry: OutputEntry, destPath: string): Promise<void> {
  if (entry.type === 'file') {
    return backend.materializeObject(entry.hash, destPath, { executable: entry.mode !== undefined && (entry.mode & 0o111) !== 0 });
  }
  const entries = parseDirManifest((await backend.getObjectBytes(entry.hash)).toString('utf8'), entry.hash);
  const dirs = entries.filter((e) => e.type === 'dir').map((e) => e.path);
  await mkdir(destPath, { recursive: true });
  for (const d of dirs) await mkdir(join(destPath, d), { recursive: true });
  await mapLimit(entries, PARALLEL, async (e) => {
    if (e.type === 'file') {
      await backend.materializeObject(e.hash, join(destPath, e.path), { executable: e.mode !== undefined && (e.mode & 0o111) !== 0 });
    }
  });
  // Deepest first: a 0555 parent would not stop root, but it would stop everyone else.
  for (const d of [...dirs].sort((a, b) => b.split('/').length - a.split('/').length)) await chmod(join(destPath, d), 0o555);
  await chmod(destPath, 0o555);
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

function notRegular(path: string): FlowctlError {
  return new FlowctlError('OUTPUT_UNSUPPORTED', `Output ${path} is neither a file nor a directory (a socket, FIFO or device?)`, { exitCode: 1 });
}
