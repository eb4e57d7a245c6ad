/**
 * What a run references in the store: the walk `gc` (what to keep) and `fsck` (what must exist)
 * share. A run references its code snapshot (`code/<hash>`, a key) and, through it, the code's
 * file objects; every task's and attempt's outputs (file objects, or a directory's manifest
 * object and, through it, its file objects). A cache entry references a task of a run (which
 * then references its outputs).
 *
 * Records and manifests are read as stored, with no side effect (nothing is quarantined or
 * marked used), and damage is reported as a `problem` rather than thrown: gc must not delete
 * what an unreadable record might reference, and fsck names it.
 */
import { isDamagedRecord } from './record-check.js';
import { parseCodeManifest, parseDirManifest } from './manifest.js';
import { sha256 } from './hash.js';
import { keys, type CacheEntry, type OutputEntry, type TaskRecord } from './records.js';
import type { Store } from './store.js';

/** An object a record (or a manifest) points at. */
export interface ObjectRef {
  kind: 'object';
  /** `output` (a task's or attempt's declared output), `dir-manifest` (a directory output's manifest), `dir-file` (a file inside one), `code-file`. */
  role: 'output' | 'dir-manifest' | 'dir-file' | 'code-file';
  hash: string;
  /** The size the referrer expects, where it says one (dir manifests do not; code and dir files do). */
  size?: number;
  /** The key of the record (or manifest object / code key) that holds the reference. */
  from: string;
  /** The output's or file's path, for messages. */
  path: string;
}

/** A code snapshot a run points at (`code/<hash>`, in the key store). */
export interface CodeRef {
  kind: 'code';
  hash: string;
  from: string;
}

/** Something the walk could not read: what it references is unknown. */
export interface RefProblem {
  kind: 'problem';
  /** The key (or `objects/…` key of a manifest) that could not be read. */
  key: string;
  reason: string;
  /** `damaged`: present but unreadable; `missing`: referenced but absent (a manifest). */
  problem: 'damaged' | 'missing';
}

export type Reference = ObjectRef | CodeRef | RefProblem;

export interface WalkOptions {
  /**
   * Expand each manifest (code or dir) once per walker: a manifest shared by many runs or tasks
   * is read once (default true). The set of expanded hashes grows with the number of distinct
   * manifests, not with the number of references.
   */
  expandOnce?: boolean;
  /** Read the files inside code manifests and dir manifests (default true). */
  expand?: boolean;
  /** Called with every task record the walk reads (gc uses it to find kept tasks that can answer a cache key). */
  onTask?: (ref: { flow: string; runId: string; step: string; taskId: string }, rec: TaskRecord) => void;
}

/**
 * Walks references run by run. Reuse one walker across runs so shared manifests are expanded
 * once. Example: `for await (const r of new ReferenceWalker(store).run('train', id)) keep(r)`.
 */
export class ReferenceWalker {
  private readonly expanded = new Set<string>();
  private readonly expandOnce: boolean;
  private readonly expand: boolean;
  private readonly onTask?: WalkOptions['onTask'];

  constructor(private readonly store: Store, opts: WalkOptions = {}) {
    this.expandOnce = opts.expandOnce ?? true;
    this.expand = opts.expand ?? true;
    this.onTask = opts.onTask;
  }

  /** Everything run `runId` of `flow` references. A run with no run.json yields nothing but its tasks' outputs. */
  async *run(flow: string, runId: string): AsyncGenerator<Reference> {
    const store = this.store;
    try {
      const run = await store.readRun(flow, runId);
      if (run?.codeHash) yield* this.code(run.codeHash, keys.run(flow, runId));
    } catch (e) {
      yield damaged(keys.run(flow, runId), e);
    }
    for (const step of await store.listSteps(flow, runId)) {
      for (const taskId of await store.listTasks(flow, runId, step)) yield* this.task(flow, runId, step, taskId);
    }
  }

  /** What one task references: its task.json's outputs and every attempt's outputs. */
  async *task(flow: string, runId: string, step: string, taskId: string): AsyncGenerator<Reference> {
    const store = this.store;
    const taskKey = keys.task(flow, runId, step, taskId);
    try {
      const rec = await store.readTask(flow, runId, step, taskId);
      if (rec) this.onTask?.({ flow, runId, step, taskId }, rec);
      for (const o of rec?.outputs ?? []) yield* this.output(o, taskKey);
    } catch (e) {
      yield damaged(taskKey, e);
    }
    for (const n of await store.listAttempts(flow, runId, step, taskId)) {
      const key = keys.attempt(flow, runId, step, taskId, n);
      try {
        const rec = await store.readAttempt(flow, runId, step, taskId, n);
        for (const o of rec?.outputs ?? []) yield* this.output(o, key);
      } catch (e) {
        yield damaged(key, e);
      }
    }
  }

  /** An output entry: its object and, for a directory, its manifest's files. */
  async *output(o: OutputEntry, from: string): AsyncGenerator<Reference> {
    if (o.type === 'file') {
      yield { kind: 'object', role: 'output', hash: o.hash, size: o.size, from, path: o.path };
      return;
    }
    yield { kind: 'object', role: 'dir-manifest', hash: o.hash, from, path: o.path };
    if (!this.expand || !this.firstTime(`dir:${o.hash}`)) return;
    const key = keys.object(o.hash);
    const bytes = await this.store.maintenance.peekObject(o.hash);
    if (!bytes) return yield { kind: 'problem', key, reason: `directory manifest of ${o.path} (in ${from}) is missing`, problem: 'missing' };
    if (sha256(bytes) !== o.hash) return yield { kind: 'problem', key, reason: `directory manifest of ${o.path} does not match its hash`, problem: 'damaged' };
    try {
      for (const e of parseDirManifest(bytes.toString('utf8'), key)) {
        if (e.type === 'file') yield { kind: 'object', role: 'dir-file', hash: e.hash, size: e.size, from: key, path: `${o.path}/${e.path}` };
      }
    } catch (e) {
      yield damaged(key, e);
    }
  }

  /** A code snapshot and its files. */
  async *code(hash: string, from: string): AsyncGenerator<Reference> {
    yield { kind: 'code', hash, from };
    if (!this.expand || !this.firstTime(`code:${hash}`)) return;
    const key = keys.code(hash);
    const text = await this.store.maintenance.peekCodeManifest(hash);
    if (text === undefined) return yield { kind: 'problem', key, reason: `code snapshot of ${from} is missing`, problem: 'missing' };
    if (sha256(text) !== hash) return yield { kind: 'problem', key, reason: 'code snapshot does not match its hash', problem: 'damaged' };
    try {
      for (const f of parseCodeManifest(text, key).files) yield { kind: 'object', role: 'code-file', hash: f.hash, size: f.size, from: key, path: f.path };
    } catch (e) {
      yield damaged(key, e);
    }
  }

  private firstTime(id: string): boolean {
    if (!this.expandOnce) return true;
    if (this.expanded.has(id)) return false;
    this.expanded.add(id);
    return true;
  }
}

/** The task a cache entry points at (its outputs are that task's): `flow/run/step/task`. */
export function cacheEntryTarget(e: CacheEntry): { flow: string; runId: string; step: string; taskId: string } {
  return { flow: e.flow, runId: e.runId, step: e.step, taskId: e.taskId };
}

function damaged(key: string, e: unknown): RefProblem {
  if (!isDamagedRecord(e) && !(e instanceof Error && 'code' in e && (e as { code?: string }).code === 'STORE_CORRUPT')) throw e;
  return { kind: 'problem', key, reason: (e as Error).message, problem: 'damaged' };
}
