/**
 * Why a task was, or would be, reused or run (DESIGN §3: "`--dry-run` and `show` say why").
 * One shape for `show RUN/STEP/TASK` (its `cache:` line and `cache` object), `run --dry-run`,
 * the client's `task.cacheStatus()` and the web UI; pure. The comparison of two keys is in
 * key-diff.ts; finding the earlier task to compare with reads the store (src/client/cache-status.ts).
 */
import type { TaskKeyParts } from '../store/records.js';

/** A file of a code snapshot (store/manifest.ts's CodeFile; restated so the web app's types need no Node types). */
interface SnapshotFile {
  path: string;
  hash: string;
  size: number;
  mode: number;
}

/**
 * Why a task was not reused:
 * `changed` (its key differs from the closest earlier task's: see `changes`), `new` (no earlier
 * task of the step), `no-cache` (`--no-cache`), `cache-off` (the step says `cache: false`),
 * `rerun` (`resume --from` re-runs the step), `earlier-failed` (the earlier task with the same key
 * did not succeed), `outputs-gone` (the earlier task with the same key lost outputs from the
 * store), `same-key` (an earlier task has the same key but was not reusable when this one ran),
 * `upstream` (dry run: an upstream task would run, so the inputs are not known yet), `no-key`
 * (the record has no key parts: written by an older flowctl, or still running).
 */
export type NotReusedReason =
  | 'changed' | 'new' | 'no-cache' | 'cache-off' | 'rerun' | 'earlier-failed' | 'outputs-gone' | 'same-key' | 'upstream' | 'no-key';

/** The part of a key a change is in (TaskKeyParts, named for people). */
export type KeyPart =
  | 'format' | 'task' | 'item' | 'item-index' | 'items' | 'command' | 'shell' | 'image' | 'env' | 'param' | 'code' | 'input' | 'outputs';

/** A code file the step sees that was added, removed or changed (content or mode). */
export interface CodeFileChange {
  path: string;
  change: 'added' | 'removed' | 'changed';
}

/** One difference between the earlier task's key and this one's. */
export interface KeyChange {
  part: KeyPart;
  /** The param, env variable or input path; null for parts without names. */
  name: string | null;
  /** `added`: only this task has it; `removed`: only the earlier one; `changed`: both, different. */
  change: 'added' | 'removed' | 'changed';
  /** Readable old and new values where flowctl keeps them (param values, commands, image, …; secrets `***`); else null. */
  from: unknown;
  to: unknown;
  /** `code`: the files that differ among those the step sees; null when they cannot be told (a snapshot is gone). */
  files: CodeFileChange[] | null;
  /** `input`: the upstream step whose output it is, when known. */
  step: string | null;
  /** One readable line: `param alpha: 0.1 → 0.2`. */
  text: string;
}

/** The earlier task a status compares with. */
export interface ComparedTask {
  pathspec: string;
  runId: string;
  step: string;
  taskId: string;
  state: string;
}

/** The `cache` object of `show --json`, of each task of a `--dry-run --json` plan, and of `task.cacheStatus()`. */
export interface CacheStatus {
  /** `reused` (cached or cloned), `ran`, `would-run` (a dry run's plan), `not-run` (skipped, or failed before it started). */
  status: 'reused' | 'ran' | 'would-run' | 'not-run';
  /** `reused`: the task that really ran (`flow/run/step/task`); else null. */
  reusedFrom: string | null;
  /** `reused`: by a cache-key hit or a resume's clone; else null. */
  reuse: 'cache' | 'resume' | null;
  /** `ran`/`would-run`: why it was not reused; else null. */
  reason: NotReusedReason | null;
  /** The earlier task compared with (for `changed`, `earlier-failed`, `outputs-gone`, `same-key`). */
  comparedWith: ComparedTask | null;
  /** `changed`: what differs, most telling first. */
  changes: KeyChange[];
  /** `upstream`: the upstream steps that would run. */
  upstream: string[];
  /** One line for people: `ran because param alpha: 0.1 → 0.2 (compared with train/…/fit/0)`. */
  summary: string;
}

/** What an explainer needs to know about a task that was not (or would not be) reused. */
export interface ExplainFacts {
  flow: string;
  step: string;
  taskId: string;
  /** The task's run; null for a task a dry run plans (every stored run is earlier). */
  runId: string | null;
  /** A resume's origin run: its task is the first one compared with. */
  originRunId?: string;
  parts: TaskKeyParts;
  cacheKey: string;
  cloneKey: string;
  /** The rendered command with secrets masked. */
  command: string | null;
  /** The item, secrets masked. */
  item: unknown;
  /** The run's params (secret values `***`). */
  params: Record<string, unknown>;
  /** The run's code snapshot and the flow file (relative to the project root); undefined when unknown. */
  code?: { files: SnapshotFile[]; flowFile: string };
  /** The step's `deps:`; null when it sees every project file; undefined when unknown. */
  deps: string[] | null | undefined;
  /** Input path → the upstream step that produces it. */
  inputSources?: Record<string, string>;
  /** Why no earlier result was looked for, if none was. */
  skipped?: 'no-cache' | 'cache-off' | 'rerun';
  /** `ran` for a recorded task, `would-run` for a planned one. */
  verb: 'ran' | 'would-run';
}

/** Says why a task was not reused (the client's CacheExplainer; injected into the dry run). */
export interface CacheExplainer {
  explain(facts: ExplainFacts): Promise<CacheStatus>;
}

/** A status for a reused task. */
export function reusedStatus(from: string, how: 'cache' | 'resume'): CacheStatus {
  return {
    status: 'reused', reusedFrom: from, reuse: how, reason: null, comparedWith: null, changes: [], upstream: [],
    summary: how === 'resume' ? `cloned from ${from} (resume)` : `reused from ${from}`,
  };
}

/** A status for a task that ran or would run, with its summary line. */
export function notReusedStatus(
  verb: 'ran' | 'would-run',
  reason: NotReusedReason,
  o: { step: string; comparedWith?: ComparedTask | null; changes?: KeyChange[]; upstream?: string[] },
): CacheStatus {
  const comparedWith = o.comparedWith ?? null;
  const changes = o.changes ?? [];
  const upstream = o.upstream ?? [];
  return {
    status: verb, reusedFrom: null, reuse: null, reason, comparedWith, changes, upstream,
    summary: `${verb === 'ran' ? 'ran' : 'would run'}: ${whyText(reason, o.step, comparedWith, changes, upstream)}`,
  };
}

/** A status for a task that never reached the cache lookup. */
export function notRunStatus(why: string): CacheStatus {
  return { status: 'not-run', reusedFrom: null, reuse: null, reason: null, comparedWith: null, changes: [], upstream: [], summary: `not run (${why})` };
}

const MAX_CHANGES_IN_TEXT = 4;

function whyText(reason: NotReusedReason, step: string, earlier: ComparedTask | null, changes: KeyChange[], upstream: string[]): string {
  const at = earlier?.pathspec ?? 'an earlier task';
  switch (reason) {
    case 'changed': {
      const shown = changes.slice(0, MAX_CHANGES_IN_TEXT).map((c) => c.text);
      if (changes.length > MAX_CHANGES_IN_TEXT) shown.push(`${changes.length - MAX_CHANGES_IN_TEXT} more changes`);
      return `${shown.join('; ') || 'its cache key changed'} (compared with ${at})`;
    }
    case 'new':
      return `no earlier task of step ${step}`;
    case 'no-cache':
      return '--no-cache';
    case 'cache-off':
      return `step ${step} says cache: false`;
    case 'rerun':
      return 'resume --from re-runs this step';
    case 'earlier-failed':
      return `the earlier task with the same key, ${at}, ${earlier?.state ?? 'failed'} (only successful tasks are reused)`;
    case 'outputs-gone':
      return `the earlier task with the same key, ${at}, has outputs missing from the store`;
    case 'same-key':
      return `same key as ${at}, which could not be reused when this task ran (caching off, or it was not finished yet)`;
    case 'upstream':
      return `upstream ${upstream.join(', ')} ${upstream.length === 1 ? 'runs' : 'run'} first (if its outputs come out unchanged, this is cached then)`;
    case 'no-key':
      return 'its record has no cache key parts';
  }
}
