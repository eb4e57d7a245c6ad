/**
 * The path-like addresses `show`, `logs`, `tag` and `Run.get()` take:
 *
 *   (nothing)                      every flow
 *   FLOW                           a flow's runs
 *   RUN_ID | FLOW/RUN_ID | FLOW/latest | FLOW/latest~N  a run (latest~1: the one before the latest)
 *   RUN/STEP   RUN/STEP/TASK   RUN/STEP/TASK/PATH       a step, a task, an artifact
 *
 * Flow names start with a letter and run ids with a digit, so the first segment tells them
 * apart. Step names never contain `/` (group steps are `group.step`), task ids are `0` or
 * dotted (`2.1.5`), and PATH may contain `/` (a file inside a directory output).
 */
import { ExitCode, FlowctlError } from '../errors.js';

export interface RunRef {
  /** Absent when the run was given by id alone. */
  flow?: string;
  /** A run id, `latest` or `latest~N`. */
  runId: string;
}

export type Pathspec =
  | { kind: 'flows' }
  | { kind: 'flow'; flow: string }
  | { kind: 'run'; run: RunRef }
  | { kind: 'step'; run: RunRef; step: string }
  | { kind: 'task'; run: RunRef; step: string; taskId: string }
  | { kind: 'artifact'; run: RunRef; step: string; taskId: string; path: string };

const FLOW_NAME = /^[a-z][a-z0-9_-]*$/i;
/** `latest`, or `latest~N`: the Nth run before the latest (like git's `HEAD~N`). */
export const LATEST = /^latest(?:~(\d{1,6}))?$/;

/** @example parsePathspec('train/latest/fit/0/metrics.json') // => { kind: 'artifact', run: { flow: 'train', runId: 'latest' }, step: 'fit', taskId: '0', path: 'metrics.json' } */
export function parsePathspec(input: string | undefined): Pathspec {
  const text = (input ?? '').trim().replace(/\/+$/, '');
  if (text === '') return { kind: 'flows' };
  const segs = text.split('/');
  if (segs.some((s) => s === '' || s === '.' || s === '..')) throw bad(input ?? '', 'it has an empty, `.` or `..` segment');
  let run: RunRef;
  let rest: string[];
  if (/^\d/.test(segs[0]!)) {
    run = { runId: segs[0]! };
    rest = segs.slice(1);
  } else {
    if (!FLOW_NAME.test(segs[0]!)) throw bad(input!, `'${segs[0]}' is neither a flow name nor a run id`);
    if (segs.length === 1) return { kind: 'flow', flow: segs[0]! };
    if (!/^\d/.test(segs[1]!) && !LATEST.test(segs[1]!)) throw bad(input!, `'${segs[1]}' is not a run id (like 20261126T132857.867Z-vx1m5x) or 'latest'`);
    run = { flow: segs[0]!, runId: segs[1]! };
    rest = segs.slice(2);
  }
  const [step, taskId, ...path] = rest;
  if (step === undefined) return { kind: 'run', run };
  if (taskId === undefined) return { kind: 'step', run, step };
  if (path.length === 0) return { kind: 'task', run, step, taskId };
  return { kind: 'artifact', run, step, taskId, path: path.join('/') };
}

/** The canonical text of a parsed pathspec. */
export function formatRunRef(ref: RunRef): string {
  return ref.flow ? `${ref.flow}/${ref.runId}` : ref.runId;
}

function bad(input: string, why: string): FlowctlError {
  return new FlowctlError('BAD_PATHSPEC', `Cannot read ${JSON.stringify(input)}: ${why}`, {
    exitCode: ExitCode.Usage,
    hint: 'Use FLOW, RUN_ID (or FLOW/RUN_ID, FLOW/latest, FLOW/latest~N), RUN/STEP, RUN/STEP/TASK or RUN/STEP/TASK/PATH.',
  });
}
