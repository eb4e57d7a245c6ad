/**
 * Code snapshots (DESIGN §2): the project tree a task sees, minus what `.gitignore` and
 * `.flowctlignore` exclude, stored as objects plus a manifest at `code/<hash>`.
 * Every run snapshots, so re-runs must be cheap: a stat cache maps each file's
 * (size, mtime, ctime, inode) to its hash and unchanged files are not read at all.
 */
import { lstat, readdir, readFile, realpath, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { FlowctlError } from '../errors.js';
import { errno, mapLimit } from './fs-util.js';
import { hashFile, sha256 } from './hash.js';
import { IgnoreMatcher } from './ignore.js';
import { byPath, codeManifestJson, EXEC_MODE, parseCodeManifest, PLAIN_MODE, type CodeFile, type CodeManifest } from './manifest.js';
import type { KeyStore } from './key-store.js';
import type { ObjectStore } from './object-store.js';
import { keys } from './records.js';
import { loadStatCache, saveStatCache, type StatCache } from './stat-cache.js';

/** Never part of a snapshot, at any depth: the store itself, VCS data, installed dependencies. */
const ALWAYS_SKIPPED = new Set(['.flowctl', '.git', 'node_modules']);
const PARALLEL = 16;

export interface SnapshotOptions {
  /** Extra exclusion on top of the ignore files; gets posix paths relative to the root. */
  exclude?: (relPath: string) => boolean;
  /**
   * Only compute the snapshot (its hash and files), writing nothing to the store: no objects,
   * no manifest, no stat cache (which is still read, so unchanged files are not re-read). For
   * dry runs; the store need not exist.
   */
  hashOnly?: boolean;
}

export interface CodeSnapshot {
  hash: string;
  files: CodeFile[];
  /** Files that had to be read and hashed (the rest came from the stat cache). */
  rehashed: number;
  /** Paths left out that a user may have expected: symlinks to directories, broken symlinks, sockets. */
  skipped: string[];
  /**
   * Every object of the snapshot was put or touched, and its manifest written, by this snapshot.
   * False after the remote shortcut (the manifest was found, nothing else asked): Store.keepCode
   * then makes sure a gc that ran meanwhile left it whole.
   */
  touched: boolean;
}

interface Candidate {
  path: string;
  abs: string;
  st: Stats;
}

/**
 * Snapshot the tree at projectRoot (copying, never moving, the user's files). Every object it
 * finds already stored is touched, and the manifest is written even when it exists, so a
 * concurrent `gc` keeps what a starting run is about to use; except on the remote shortcut
 * (see CodeSnapshot.touched).
 */
export async function snapshotCode(objects: ObjectStore, kv: KeyStore, projectRoot: string, opts: SnapshotOptions = {}): Promise<CodeSnapshot> {
  const root = await realpath(projectRoot);
  const onDisk = objects.kind === 'local';
  const storeRoot = onDisk ? await realpath(objects.location).catch(() => objects.location) : undefined;
  const ignore = new IgnoreMatcher();
  // .flowctlignore comes after every .gitignore rule, so it wins (it can re-include with `!`).
  const flowIgnore = new IgnoreMatcher().add(await readOptional(join(root, '.flowctlignore')));
  const isIgnored = (rel: string, isDir: boolean): boolean =>
    (flowIgnore.match(rel, isDir) ?? ignore.match(rel, isDir) ?? false) || (opts.exclude?.(rel) ?? false);

  const found: Candidate[] = [];
  const skipped: string[] = [];
  const walk = async (dirAbs: string, prefix: string): Promise<void> => {
    // Nested .gitignore files apply below their directory, as in git.
    const gi = await readOptional(join(dirAbs, '.gitignore'));
    if (gi) ignore.add(gi, prefix);
    const names = (await readdir(dirAbs)).sort().filter((n) => !ALWAYS_SKIPPED.has(n) && join(dirAbs, n) !== storeRoot);
    // Stat a directory's entries concurrently: one at a time, a big tree waits on the thread pool.
    const stats = await Promise.all(names.map((n) => lstat(join(dirAbs, n)).catch(vanished)));
    for (const [i, name] of names.entries()) {
      const rel = prefix ? `${prefix}/${name}` : name;
      const abs = join(dirAbs, name);
      let st = stats[i];
      if (!st) continue;
      if (st.isSymbolicLink()) {
        // A link to a file is stored as its content (the snapshot must work on another
        // machine); links to directories are skipped: they may be huge or cyclic.
        const target = await stat(abs).catch(() => undefined);
        if (!target?.isFile()) {
          if (!isIgnored(rel, target?.isDirectory() ?? false)) skipped.push(rel);
          continue;
        }
        st = target;
      }
      if (st.isDirectory()) {
        if (!isIgnored(rel, true)) await walk(abs, rel);
      } else if (st.isFile()) {
        if (!isIgnored(rel, false)) found.push({ path: rel, abs, st });
      } else if (!isIgnored(rel, false)) {
        skipped.push(rel);
      }
    }
  };
  await walk(root, '');

  if (opts.hashOnly) {
    const cache = onDisk ? await loadStatCache(kv) : undefined;
    const local = await hashLocally(found, cache);
    return { hash: sha256(codeManifestJson(local)), files: local.sort(byPath), rehashed: local.length, skipped, touched: false };
  }

  // A remote store has no stat cache, and asking it about every file is a request each. Hash
  // locally first: when the store already has this exact snapshot (its manifest is written
  // only after all its objects), one HEAD replaces N; otherwise those hashes play the stat
  // cache's part below.
  let hashedHere: Map<string, string> | undefined;
  if (!objects.checksAreCheap) {
    const local = await hashLocally(found);
    const hash = sha256(codeManifestJson(local));
    if (await kv.exists(keys.code(hash))) return { hash, files: local.sort(byPath), rehashed: local.length, skipped, touched: false };
    hashedHere = new Map(local.map((f) => [f.path, f.hash]));
  }

  const cache = onDisk ? await loadStatCache(kv) : undefined;
  const started = Date.now();
  let rehashed = hashedHere?.size ?? 0;
  const stored = await mapLimit(found, PARALLEL, async (c): Promise<CodeFile | undefined> => {
    const mode = modeOf(c.st);
    const hit = cache?.lookup(c.abs, c.st) ?? hashedHere?.get(c.path);
    if (hit && (await objects.touch(hit))) return { path: c.path, hash: hit, size: c.st.size, mode };
    if (!hashedHere) rehashed++;
    // Copy, never move: this is the user's working tree.
    const info = await objects.putFile(c.abs, { move: false }).catch(vanished);
    if (!info) return undefined;
    cache?.record(c.abs, c.st, info.hash, started);
    return { path: c.path, hash: info.hash, size: info.size, mode };
  });
  const files = stored.filter((f): f is CodeFile => f !== undefined);
  if (cache) await saveStatCache(kv, cache, root + sep, new Set(found.map((c) => c.abs)));

  const json = codeManifestJson(files);
  const hash = sha256(json);
  // Written even when present: a damaged one is replaced (resume reads it), and its time says it is in use (gc).
  await kv.put(keys.code(hash), json);
  return { hash, files: files.sort(byPath), rehashed, skipped, touched: true };
}

/**
 * Make sure a snapshot taken by the remote shortcut is whole and marked as used: its manifest
 * written again and every file touched, a file gone meanwhile put again from the project.
 * @throws FlowctlError CODE_CHANGED when such a file no longer has the content snapshotted.
 */
export async function retouchSnapshot(objects: ObjectStore, kv: KeyStore, projectRoot: string, snap: Pick<CodeSnapshot, 'hash' | 'files'>): Promise<void> {
  await mapLimit(snap.files, PARALLEL, async (f) => {
    if (await objects.touch(f.hash)) return;
    const info = await objects.putFile(join(projectRoot, f.path), { move: false });
    if (info.hash !== f.hash) {
      throw new FlowctlError('CODE_CHANGED', `${f.path} changed while the run started (its snapshot was taken before)`, {
        hint: 'Run again once nothing is writing to the project.',
      });
    }
  });
  await kv.put(keys.code(snap.hash), codeManifestJson(snap.files));
}

async function hashLocally(found: Candidate[], cache?: StatCache): Promise<CodeFile[]> {
  const hashed = await mapLimit(found, PARALLEL, async (c): Promise<CodeFile | undefined> => {
    const hit = cache?.lookup(c.abs, c.st);
    if (hit) return { path: c.path, hash: hit, size: c.st.size, mode: modeOf(c.st) };
    const h = await hashFile(c.abs).catch(vanished);
    return h && { path: c.path, hash: h.hash, size: h.size, mode: modeOf(c.st) };
  });
  return hashed.filter((f): f is CodeFile => f !== undefined);
}

function modeOf(st: Stats): number {
  return (st.mode & 0o111) !== 0 ? EXEC_MODE : PLAIN_MODE;
}

/** Load a snapshot's manifest, verified against its hash. */
export async function readCodeManifest(kv: KeyStore, hash: string): Promise<CodeManifest> {
  const text = await kv.get(keys.code(hash));
  if (text === undefined) throw new FlowctlError('STORE_MISSING_CODE', `Code snapshot ${hash} is not in the store (${keys.code(hash)})`);
  if (sha256(text) !== hash) throw new FlowctlError('STORE_CORRUPT', `Code snapshot ${keys.code(hash)} is corrupt: its content does not match its hash`);
  return parseCodeManifest(text, keys.code(hash));
}

/** Make the snapshot's files appear under destDir, read-only, linked from the store. */
export async function materializeCode(objects: ObjectStore, kv: KeyStore, code: string | CodeManifest, destDir: string): Promise<void> {
  const manifest = typeof code === 'string' ? await readCodeManifest(kv, code) : code;
  await mapLimit(manifest.files, PARALLEL, (f) =>
    objects.materialize(f.hash, join(destDir, f.path), { executable: (f.mode & 0o111) !== 0, size: f.size }));
}

/** Editors' swap and lock files come and go while we walk: a file that vanished is simply not in the snapshot. */
function vanished(e: unknown): undefined {
  if (errno(e) === 'ENOENT') return undefined;
  throw e;
}

async function readOptional(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'EISDIR') return '';
    throw e;
  }
}
