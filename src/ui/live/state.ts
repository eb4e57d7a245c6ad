/**
 * The live view's state, folded from runtime events by a pure reducer: `reduce(state, event)`
 * returns a new state and never touches the terminal, the clock or the run. Per event it
 * costs O(steps + running tasks), whatever the size of a fan-out: finished tasks are only
 * counted, never kept.
 */
import type { RunEvent } from '../../runtime/events.js';
import type { RunState, TaskState } from '../../store/records.js';
import { imageLabel } from '../../term/format.js';
import { sanitizeLine } from '../../term/sanitize.js';

/** Log lines kept per running task (the view shows at most this many). */
export const LOG_LINES_KEPT = 3;
/** Failures kept with their details for the summary; the rest are only counted. */
export const FAILURES_KEPT = 20;

export type Counts = Readonly<Partial<Record<TaskState, number>>>;

export interface StepView {
  /** Qualified name, `group.step` inside groups. */
  readonly step: string;
  /** Last segment of the name. */
  readonly name: string;
  readonly depth: number;
  readonly parent?: string;
  readonly foreach: boolean;
  /** The step or an enclosing group has a foreach: it may get many tasks. */
  readonly fanned: boolean;
  readonly isGroup: boolean;
  readonly startedAt?: number;
  /** Tasks known so far (grows as fan-outs expand). */
  readonly planned: number;
  /** Finished tasks by state. */
  readonly counts: Counts;
  readonly caught: number;
  /** Set by step-finished. */
  readonly outcome?: TaskState | 'caught';
  readonly durationMs?: number;
}

export interface TaskView {
  readonly step: string;
  readonly taskId: string;
  readonly item?: unknown;
  /** A container task's image, with its short id: `python:3.12 (sha256:0a1b2c3d4e5f)`. */
  readonly image?: string;
  readonly startedAt: number;
  readonly attempt: number;
  readonly maxAttempts: number;
  /** When a retry is pending: the time the next attempt is due. */
  readonly retryAt?: number;
  readonly lastFailure?: string;
  /** The last LOG_LINES_KEPT lines of the current attempt, sanitized. */
  readonly lines: readonly string[];
  /** Where a remote attempt is (AWS Batch): its job and Batch's state, until it ends. */
  readonly remote?: { readonly status: string; readonly jobId: string };
}

/** Warnings kept for the view (the latest). */
export const WARNINGS_KEPT = 3;

export interface FailureView {
  readonly step: string;
  readonly taskId: string;
  readonly reason?: string;
  readonly caught: boolean;
  readonly lastLines: readonly string[];
}

export interface RunSummary {
  readonly state: RunState;
  readonly durationMs: number;
  readonly counts: Counts;
  readonly caughtFailures: number;
  readonly error?: string;
}

export interface ViewState {
  readonly runId?: string;
  readonly flow?: string;
  readonly datastore?: string;
  readonly originRunId?: string;
  readonly startedAt?: number;
  /** In DAG/file order, groups before their children. */
  readonly steps: readonly StepView[];
  readonly stepIndex: ReadonlyMap<string, number>;
  /** Running tasks (including those waiting for a retry), keyed `step/taskId`, in start order. */
  readonly running: ReadonlyMap<string, TaskView>;
  readonly failures: readonly FailureView[];
  readonly failureCount: number;
  /** Tasks stopped by Ctrl-C (`step/taskId`, the first FAILURES_KEPT), and how many there were. */
  readonly interrupted: readonly string[];
  readonly interruptedCount: number;
  /** Finished tasks of the run by state. */
  readonly counts: Counts;
  readonly finished?: RunSummary;
  /** The latest warnings (sanitized), oldest first. */
  readonly warnings: readonly string[];
}

export function initialState(): ViewState {
  return { steps: [], stepIndex: new Map(), running: new Map(), failures: [], failureCount: 0, interrupted: [], interruptedCount: 0, counts: {}, warnings: [] };
}

export function reduce(s: ViewState, e: RunEvent): ViewState {
  const t = Date.parse(e.time);
  switch (e.type) {
    case 'run-started': {
      const groups = new Set(e.steps.map((x) => x.parent).filter((p): p is string => p !== undefined));
      const seen = new Map<string, StepView>();
      const steps = e.steps.map((x): StepView => {
        const parent = x.parent === undefined ? undefined : seen.get(x.parent);
        const view: StepView = {
          step: x.step, name: x.parent ? x.step.slice(x.parent.length + 1) : x.step, depth: parent ? parent.depth + 1 : 0,
          parent: x.parent, foreach: x.foreach, fanned: x.foreach || parent?.fanned === true, isGroup: groups.has(x.step),
          planned: 0, counts: {}, caught: 0,
        };
        seen.set(x.step, view);
        return view;
      });
      return {
        ...initialState(), runId: e.runId, flow: e.flow, datastore: e.datastore, originRunId: e.originRunId, startedAt: t,
        steps, stepIndex: new Map(steps.map((x, i) => [x.step, i])),
      };
    }
    case 'step-started':
      return updateStep(s, e.step, (x) => ({ ...x, startedAt: x.startedAt ?? t }));
    case 'step-planned':
      return updateStep(s, e.step, (x) => ({ ...x, planned: Math.max(x.planned, e.tasks) }));
    case 'step-finished': {
      const done = updateStep(s, e.step, (x) => ({ ...x, outcome: e.state, durationMs: e.durationMs }));
      // A group over an empty list ends without starting its steps: they succeeded (or were skipped) with it.
      if (e.state !== 'succeeded' && e.state !== 'skipped') return done;
      const inside = done.steps.filter((x) => x.step.startsWith(`${e.step}.`) && x.startedAt === undefined && x.outcome === undefined);
      return inside.reduce((acc, x) => updateStep(acc, x.step, (y) => ({ ...y, outcome: e.state })), done);
    }
    case 'task-started': {
      const running = new Map(s.running);
      const image = e.image === undefined ? undefined : sanitizeLine(imageLabel(e.image, e.imageDigest));
      running.set(key(e.step, e.taskId), { step: e.step, taskId: e.taskId, item: e.item, image, startedAt: t, attempt: 0, maxAttempts: 1, lines: [] });
      return { ...s, running };
    }
    case 'attempt-started':
      return updateTask(s, e.step, e.taskId, (x) => ({
        ...x, attempt: e.attempt, maxAttempts: e.maxAttempts, retryAt: undefined, lastFailure: e.lastFailure ?? x.lastFailure, lines: [], remote: undefined,
      }));
    case 'attempt-status':
      return updateTask(s, e.step, e.taskId, (x) => (x.attempt !== e.attempt ? x : { ...x, remote: { status: e.status, jobId: sanitizeLine(e.jobId) } }));
    case 'warning':
      return { ...s, warnings: [...s.warnings.slice(-(WARNINGS_KEPT - 1)), sanitizeLine(e.message)] };
    case 'log':
      return updateTask(s, e.step, e.taskId, (x) => ({ ...x, lines: [...x.lines.slice(Math.max(0, x.lines.length - LOG_LINES_KEPT + 1)), sanitizeLine(e.line)] }));
    case 'attempt-finished':
      return e.willRetryInMs === undefined ? s
        : updateTask(s, e.step, e.taskId, (x) => ({ ...x, retryAt: t + e.willRetryInMs!, lastFailure: e.reason ?? x.lastFailure, remote: undefined }));
    case 'task-finished': {
      const k = key(e.step, e.taskId);
      let running = s.running;
      if (running.has(k)) {
        const copy = new Map(running);
        copy.delete(k);
        running = copy;
      }
      const state = taskState(e);
      const failed = state === 'failed';
      const caught = failed && e.caught === true;
      const next = updateStep({ ...s, running, counts: inc(s.counts, state) }, e.step, (x) => ({
        ...x, counts: inc(x.counts, state), caught: x.caught + (caught ? 1 : 0),
      }));
      if (state === 'interrupted') {
        const name = key(e.step, e.taskId);
        return { ...next, interruptedCount: s.interruptedCount + 1, interrupted: s.interrupted.length < FAILURES_KEPT ? [...s.interrupted, name] : s.interrupted };
      }
      if (!failed) return next;
      const failure: FailureView = {
        step: e.step, taskId: e.taskId, reason: e.reason, caught, lastLines: (e.lastLines ?? []).map((l) => sanitizeLine(l)),
      };
      return {
        ...next, failureCount: s.failureCount + 1,
        failures: s.failures.length < FAILURES_KEPT ? [...s.failures, failure] : s.failures,
      };
    }
    case 'run-finished':
      return {
        ...s, finished: { state: e.state, durationMs: e.durationMs, counts: e.counts, caughtFailures: e.caughtFailures, error: e.error },
      };
  }
}

/** Events of older runs (replayed from their events.ndjson) said `failed` with reason `interrupted`. */
function taskState(e: Extract<RunEvent, { type: 'task-finished' }>): TaskState {
  return e.state === 'failed' && e.reason === 'interrupted' ? 'interrupted' : e.state;
}

export function key(step: string, taskId: string): string {
  return `${step}/${taskId}`;
}

function inc(c: Counts, state: TaskState): Counts {
  return { ...c, [state]: (c[state] ?? 0) + 1 };
}

function updateStep(s: ViewState, step: string, f: (x: StepView) => StepView): ViewState {
  let i = s.stepIndex.get(step);
  let steps = s.steps;
  let stepIndex = s.stepIndex;
  if (i === undefined) {
    // Not announced by run-started (an older engine, or a replayed partial log): show it at the end.
    i = steps.length;
    steps = [...steps, { step, name: step, depth: 0, foreach: false, fanned: false, isGroup: false, planned: 0, counts: {}, caught: 0 }];
    stepIndex = new Map(stepIndex).set(step, i);
  }
  const copy = steps === s.steps ? steps.slice() : (steps as StepView[]);
  copy[i] = f(copy[i]!);
  return { ...s, steps: copy, stepIndex };
}

function updateTask(s: ViewState, step: string, taskId: string, f: (x: TaskView) => TaskView): ViewState {
  const k = key(step, taskId);
  const x = s.running.get(k);
  if (!x) return s;
  const running = new Map(s.running);
  running.set(k, f(x));
  return { ...s, running };
}

/** What a step looks like now, derived from its record and the run's state. */
export type { StepStatus } from '../../term/look.js';
import type { StepStatus } from '../../term/look.js';

export function stepStatus(x: StepView, tasks: readonly TaskView[], runFinished: boolean, runInterrupted = false): StepStatus {
  if (x.outcome !== undefined) {
    switch (x.outcome) {
      case 'failed': return 'failed';
      case 'interrupted': return 'interrupted';
      case 'caught': return 'caught';
      case 'skipped': return 'skipped';
      case 'cached': return 'cached';
      default: {
        const done = finishedCount(x.counts);
        return done > 0 && (x.counts.cached ?? 0) === done ? 'cached' : 'succeeded';
      }
    }
  }
  if (x.startedAt === undefined) return runFinished ? 'not-run' : 'pending';
  if (runFinished) return runInterrupted ? 'interrupted' : 'stopped';
  if (tasks.length > 0 && tasks.every((t) => t.retryAt !== undefined)) return 'retrying';
  return 'running';
}

export function finishedCount(c: Counts): number {
  return (c.succeeded ?? 0) + (c.failed ?? 0) + (c.interrupted ?? 0) + (c.skipped ?? 0) + (c.cached ?? 0);
}
