/**
 * Task identity (DESIGN.md §3), pure. A task's cache key covers everything flowctl hands the
 * task: its flow, step and task id, its item, item index and the items of every enclosing
 * fan-out, the rendered command, shell and image (its id, not its tag), its env, the params
 * it can read (FLOW_PARAM_*), the code it can see and the content hashes of its inputs, and the
 * outputs it declares. Users narrow a key only explicitly (`deps:` for code, `params:` for params); a
 * value the task can see is never silently left out. Per-execution values are the exception,
 * by definition: the run id, the attempt number and the task directory's path differ on every
 * run, so a task whose result depends on them must say `cache: false`.
 *
 * The key is the hash of its parts, which are digests (task.json keeps them as `keyParts`, so
 * `--dry-run`/`show` can tell what changed). A value that contains a secret is digested with a
 * keyed hash (HMAC-SHA256 with a per-store random key), never hashed or stored in clear.
 *
 * Retry, timeout, resources, catch and a container's pull policy and network are left out:
 * they change how a task runs, not what it makes.
 */
import { createHash } from 'node:crypto';
import type { CodeFile } from '../store/manifest.js';
import { IgnoreMatcher } from '../store/ignore.js';
import type { TaskKeyParts } from '../store/records.js';
import type { StageEntry } from './graph-state.js';

export type { TaskKeyParts } from '../store/records.js';

export const CACHE_KEY_VERSION = 2 as const;

/** Digests values for a key: sha256 of plain text, a keyed hash (`hmac:…`) of text holding a secret. */
export interface KeyHasher {
  digest(text: string): string;
}

export interface TaskKeyInput {
  flow: string;
  step: string;
  taskId: string;
  hasItem: boolean;
  item: unknown;
  itemIndex?: number;
  items: unknown[];
  /** The rendered command, unmasked (a secret in it is digested with the keyed hash). */
  command: string;
  shell: string;
  /** A container step's image: its id (`sha256:…`) as the runtime resolved it, so a re-tagged image changes the key. */
  image?: string;
  env: Record<string, string>;
  /** The params the task can read (already narrowed by the step's `params:`). */
  params: Record<string, unknown>;
  codeKey: string;
  staging: StageEntry[];
  outputs: string[];
}

export interface TaskIdentity {
  parts: TaskKeyParts;
  /** Reuse by cache: every part. */
  cacheKey: string;
  /** Reuse by `resume`: every part but the code (code edits alone do not stop a clone). */
  cloneKey: string;
}

/** @example const { cacheKey } = taskIdentity(input, plainHasher) */
export function taskIdentity(i: TaskKeyInput, hasher: KeyHasher): TaskIdentity {
  const d = (text: string) => hasher.digest(text);
  const parts: TaskKeyParts = {
    v: CACHE_KEY_VERSION,
    flow: i.flow,
    step: i.step,
    taskId: i.taskId,
    item: i.hasItem ? d(handedJson(i.item)) : null,
    itemIndex: i.itemIndex ?? null,
    items: d(handedJson(i.items)),
    command: d(i.command),
    shell: i.shell,
    image: i.image ?? null,
    env: digestRecord(i.env, d),
    params: digestRecord(Object.fromEntries(Object.entries(i.params).map(([k, v]) => [k, handedJson(v)])), d),
    code: i.codeKey,
    inputs: Object.fromEntries(
      [...i.staging].sort((a, b) => compare(a.rel, b.rel)).map((s) => [s.rel, `${s.entry.type}:${s.entry.hash}`]),
    ),
    outputs: [...i.outputs].sort(),
  };
  return {
    parts,
    cacheKey: sha256(canonicalJson(parts)),
    cloneKey: sha256(canonicalJson({ ...parts, code: null })),
  };
}

/** A hasher for a run: plain sha256, or a keyed hash for text that contains one of the secrets. */
export function keyHasher(opts: { containsSecret?: (text: string) => boolean; hmac?: (text: string) => string } = {}): KeyHasher {
  const { containsSecret, hmac } = opts;
  return {
    digest(text: string): string {
      if (containsSecret?.(text)) {
        if (!hmac) throw new Error('a secret value reached a cache key without a keyed hash');
        return `hmac:${hmac(text)}`;
      }
      return sha256(text);
    },
  };
}

/**
 * The part of the code snapshot a step's key covers: every project file but the flow file
 * itself (editing one step's command must not invalidate the others), or only the files
 * matching the step's `deps:` globs (gitignore syntax: `scripts/fit.mjs`, `lib/**`, `*.py`).
 */
export function codeKey(files: CodeFile[], opts: { flowFile: string; deps?: string[] }): string {
  return codeDigest(codeFilesSeen(files, opts));
}

/** The files of a snapshot a step's code key covers (see codeKey), in snapshot order. */
export function codeFilesSeen(files: CodeFile[], opts: { flowFile: string; deps?: string[] }): CodeFile[] {
  const selected = files.filter((f) => f.path !== opts.flowFile);
  if (!opts.deps) return selected;
  const m = new IgnoreMatcher().add(opts.deps.join('\n'));
  return selected.filter((f) => m.ignores(f.path));
}

/** The digest of a selection of code files: what keyParts.code holds. */
export function codeDigest(files: CodeFile[]): string {
  return sha256(files.map((f) => `${f.path}\0${f.mode.toString(8)}\0${f.hash}\n`).join(''));
}

/**
 * A value as the task is handed it (`FLOW_ITEM`, `FLOW_PARAM_*`: JSON in the order written; a
 * string param's raw text, one to one with its JSON). Object keys are not sorted: a task that
 * prints `$FLOW_ITEM` makes different bytes for `{"b":2,"a":1}` than for `{"a":1,"b":2}`, so
 * the two must not share a key. For sorted or key-less values this is canonicalJson's text, so
 * keys made before stay valid.
 */
export function handedJson(v: unknown): string {
  return JSON.stringify(v ?? null);
}

/** JSON with sorted object keys: for the key's own record of digests, whose order means nothing. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

function digestRecord(r: Record<string, string>, d: (text: string) => string): Record<string, string> {
  return Object.fromEntries(Object.keys(r).sort(compare).map((k) => [k, d(r[k]!)]));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
