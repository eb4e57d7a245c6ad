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
/**
 * A symbolic link inside a directory output, kept as a link. Its target is relative and,
 * walked from the link's directory, stays inside the output through directories only (see
 * linkTargetProblem), so recreating it can never point anywhere else. Manifests written
 * before links were kept have none: their links were stored as copies of what they pointed at.
 */
export interface DirManifestLink {
  path: string;
  type: 'symlink';
  target: string;
}
export type DirManifestEntry = DirManifestFile | DirManifestDir | DirManifestLink;

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
      : e.type === 'symlink'
        ? { path: e.path, type: e.type, target: e.target }
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
  const entries = data as DirManifestEntry[];
  for (const e of entries) {
    checkPath(e?.path, what);
    const ok = e.type === 'file' ? isSha256(e.hash) && typeof e.size === 'number' : e.type === 'dir' || (e.type === 'symlink' && typeof (e as DirManifestLink).target === 'string');
    if (!ok) throw corrupt(what, `bad entry ${JSON.stringify(e)}`);
  }
  const kinds = new Map<string, string>();
  for (const e of entries) {
    if (kinds.has(e.path)) throw corrupt(what, `${JSON.stringify(e.path)} is listed twice`);
    kinds.set(e.path, e.type);
  }
  for (const e of entries) {
    // Whatever is recreated from a manifest is created through directories only, never through one of its links.
    const parent = e.path.includes('/') ? e.path.slice(0, e.path.lastIndexOf('/')) : '';
    if (parent !== '' && kinds.get(parent) !== 'dir') throw corrupt(what, `${JSON.stringify(e.path)} is not inside a listed directory`);
  }
  for (const e of entries) {
    if (e.type !== 'symlink') continue;
    const problem = linkTargetProblem(e.path, e.target, (p) => kinds.get(p));
    if (problem) throw corrupt(what, `unsafe link ${JSON.stringify(e.path)} -> ${JSON.stringify(e.target)}: ${problem}`);
  }
  return entries;
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

/**
 * Why a link at `linkPath` (inside a directory) with `target` could lead outside it, or
 * undefined when it cannot: the target must be relative, and walking it from the link's
 * directory must never climb above the directory's root and pass only through directories
 * (`kindOf` names what each path inside is; '' is the root). Through directories only, the
 * kernel resolves the link exactly as this walk does; through another link it might not
 * (`a -> .` makes `a/../x` leave the root).
 */
export function linkTargetProblem(linkPath: string, target: string, kindOf: (path: string) => string | undefined): string | undefined {
  if (target === '' || target.startsWith('/') || target.includes('\0')) return 'not a relative path';
  const stack = linkPath.split('/').slice(0, -1);
  const parts = target.split('/').filter((p) => p !== '' && p !== '.');
  for (const [i, part] of parts.entries()) {
    if (part === '..') {
      if (stack.length === 0) return 'it climbs out of the directory';
      stack.pop();
    } else {
      stack.push(part);
    }
    const here = stack.join('/');
    const kind = here === '' ? 'dir' : kindOf(here);
    if (i < parts.length - 1 && kind !== 'dir') return kind === undefined ? `${here} is not in the directory` : `it passes through ${here}, which is not a directory`;
    if (i === parts.length - 1 && kind === undefined) return `${here} is not in the directory`;
  }
  return undefined;
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
