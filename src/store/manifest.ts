/**
 * Manifests: the JSON that turns a set of objects into a directory (a `dir` output) or a
 * project tree (a code snapshot). They are content-addressed, so their JSON is canonical:
 * entries sorted by path in code-unit order, fixed key order, no whitespace. The same tree
 * always hashes the same, on any machine, which is what makes cache keys stable.
 */
import { FlowctlError } from '../errors.js';
import { isSha256 } from './hash.js';

/** A file in a directory output; `mode` is present (0o755) only for executables, like git. */
export interface DirManifestFile {
  path: string;
  type: 'file';
  hash: string;
  size: number;
  mode?: number;
}
/** A directory inside a directory output (listed so empty directories survive the round trip). */
export interface DirManifestDir {
  path: string;
  type: 'dir';
}
export type DirManifestEntry = DirManifestFile | DirManifestDir;

/** A file of a code snapshot; mode is 0o644 or 0o755 (git's normalization, so umask does not change hashes). */
export interface CodeFile {
  path: string;
  hash: string;
  size: number;
  mode: number;
}
export interface CodeManifest {
  files: CodeFile[];
}

export const EXEC_MODE = 0o755;
export const PLAIN_MODE = 0o644;

export function byPath<T extends { path: string }>(a: T, b: T): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

export function dirManifestJson(entries: DirManifestEntry[]): string {
  const canon = [...entries].sort(byPath).map((e) =>
    e.type === 'dir'
      ? { path: e.path, type: e.type }
      : { path: e.path, type: e.type, hash: e.hash, size: e.size, ...(e.mode === undefined ? {} : { mode: e.mode }) });
  return JSON.stringify(canon);
}

export function codeManifestJson(files: CodeFile[]): string {
  const canon = [...files].sort(byPath).map((f) => ({ path: f.path, hash: f.hash, size: f.size, mode: f.mode }));
  return JSON.stringify({ files: canon });
}

export function parseDirManifest(text: string, what: string): DirManifestEntry[] {
  const data = parse(text, what);
  if (!Array.isArray(data)) throw corrupt(what, 'not a list');
  for (const e of data as DirManifestEntry[]) {
    checkPath(e?.path, what);
    if (e.type === 'file' ? !isSha256(e.hash) || typeof e.size !== 'number' : e.type !== 'dir') throw corrupt(what, `bad entry ${JSON.stringify(e)}`);
  }
  return data as DirManifestEntry[];
}

export function parseCodeManifest(text: string, what: string): CodeManifest {
  const data = parse(text, what) as CodeManifest;
  if (!Array.isArray(data?.files)) throw corrupt(what, 'no files list');
  for (const f of data.files) {
    checkPath(f?.path, what);
    if (!isSha256(f.hash) || typeof f.size !== 'number' || typeof f.mode !== 'number') throw corrupt(what, `bad entry ${JSON.stringify(f)}`);
  }
  return data;
}

/** Manifests may come from a shared (S3) store: never let one write outside the destination. */
function checkPath(path: unknown, what: string): void {
  if (typeof path !== 'string' || path === '' || path.startsWith('/') || path.split('/').some((p) => p === '' || p === '.' || p === '..')) {
    throw corrupt(what, `unsafe path ${JSON.stringify(path)}`);
  }
}

function parse(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw corrupt(what, 'invalid JSON', e);
  }
}

function corrupt(what: string, detail: string, cause?: unknown): FlowctlError {
  return new FlowctlError('STORE_CORRUPT', `Manifest ${what} is corrupt: ${detail}`, { cause });
}
