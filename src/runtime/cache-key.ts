/**
 * Cache keys (DESIGN.md §3), pure. A task's key hashes everything that can change what it
 * produces: the rendered command and env (secrets masked, so a secret never reaches the
 * store and rotating one does not invalidate work), shell, image, the item, the code it
 * can see, the content hashes of its inputs, and the outputs it declares. Retry, timeout,
 * resources and catch are left out: they change how a task runs, not what it makes.
 */
import { createHash } from 'node:crypto';
import type { CodeFile } from '../store/manifest.js';
import { IgnoreMatcher } from '../store/ignore.js';
import type { StageEntry } from './graph-state.js';

export const CACHE_KEY_VERSION = 1;

export interface CacheKeyInput {
  flow: string;
  step: string;
  command: string;
  env: Record<string, string>;
  shell: string;
  image?: string;
  item?: unknown;
  hasItem: boolean;
  codeKey: string;
  staging: StageEntry[];
  outputs: string[];
}

export function taskCacheKey(i: CacheKeyInput): string {
  const canonical = {
    v: CACHE_KEY_VERSION,
    flow: i.flow,
    step: i.step,
    command: i.command,
    env: Object.entries(i.env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    shell: i.shell,
    image: i.image ?? null,
    item: i.hasItem ? canonicalJson(i.item) : null,
    code: i.codeKey,
    inputs: i.staging.map((s) => [s.rel, s.entry.type, s.entry.hash]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)),
    outputs: [...i.outputs].sort(),
  };
  return sha256(JSON.stringify(canonical));
}

/**
 * The part of the code snapshot a step's key covers: every project file but the flow file
 * itself (editing one step's command must not invalidate the others), or only the files
 * matching the step's `deps:` globs (gitignore syntax: `scripts/fit.mjs`, `lib/**`, `*.py`).
 */
export function codeKey(files: CodeFile[], opts: { flowFile: string; deps?: string[] }): string {
  let selected = files.filter((f) => f.path !== opts.flowFile);
  if (opts.deps) {
    const m = new IgnoreMatcher().add(opts.deps.join('\n'));
    selected = selected.filter((f) => m.ignores(f.path));
  }
  return sha256(selected.map((f) => `${f.path}\0${f.mode.toString(8)}\0${f.hash}\n`).join(''));
}

/** JSON with sorted object keys, so `{a,b}` and `{b,a}` items share a key. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
