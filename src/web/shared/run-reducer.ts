/**
 * Applies a run's events (README: "NDJSON event schema") to a run page's snapshot: the server
 * folds a live run's event log with it, and the browser applies what the live stream sends.
 * Pure (no I/O), and monotonic: a task that has finished never goes back to running, so
 * events that overlap what a snapshot already holds change nothing.
 */
import type { FailureView, RunSnapshot, StepView, TaskRow, TaskState, TaskStatus } from './types.js';

export interface RunEventLike {
  type: string;
  time: string;
  [field: string]: unknown;
}

const FINAL: ReadonlySet<TaskStatus> = new Set(['succeeded', 'failed', 'skipped', 'cached', 'damaged']);

/** A snapshot with `events` applied (a new object; the input is left unchanged). */
export function applyEvents(snap: RunSnapshot, events: readonly RunEventLike[]): RunSnapshot {
  if (events.length === 0) return snap;
  const next: RunSnapshot = { ...snap, run: { ...snap.run }, steps: snap.steps.map((s) => ({ ...s })), tasks: { ...snap.tasks }, failures: [...snap.failures] };
  const steps = new Map(next.steps.map((s) => [s.step, s]));
  const touched = new Set<string>();
  const index = new Map<string, Map<string, number>>();
  const rowsOf = (step: string): { rows: TaskRow[]; at: Map<string, number> } => {
    if (!touched.has(step)) {
      next.tasks[step] = [...(next.tasks[step] ?? [])];
      touched.add(step);
    }
    const rows = next.tasks[step];
    let at = index.get(step);
    if (!at) index.set(step, (at = new Map(rows.map((r, i) => [r.taskId, i]))));
    return { rows, at };
  };
  const upsert = (step: string, taskId: string, change: (r: TaskRow) => TaskRow): void => {
    const { rows, at } = rowsOf(step);
    const i = at.get(taskId);
    if (i === undefined) {
      at.set(taskId, rows.length);
      rows.push(change(emptyRow(step, taskId)));
    } else {
      rows[i] = change(rows[i]);
    }
  };

  for (const e of events) {
    const step = typeof e.step === 'string' ? e.step : undefined;
    const taskId = typeof e.taskId === 'string' ? e.taskId : undefined;
    switch (e.type) {
      case 'run-started':
        if (next.steps.length === 0 && Array.isArray(e.steps)) {
          next.steps = stepsFromPlan(e.steps as PlanStep[]);
          for (const s of next.steps) steps.set(s.step, s);
        }
        break;
      case 'step-started': {
        const s = step && steps.get(step);
        if (s && (s.state === 'pending' || s.state === 'not-run')) s.state = 'running';
        if (s) s.startedAt ??= e.time;
        break;
      }
      case 'step-planned': {
        const s = step && steps.get(step);
        if (s && typeof e.tasks === 'number') s.total = Math.max(s.total, e.tasks);
        break;
      }
      case 'task-started':
        if (step && taskId) {
          upsert(step, taskId, (r) => (FINAL.has(r.state) ? r : {
            ...r, state: 'running', startedAt: r.startedAt ?? e.time, item: r.item ?? (e.item === undefined ? null : shortJson(e.item)),
          }));
          touched.add(step);
        }
        break;
      case 'attempt-started':
        if (step && taskId) {
          const n = typeof e.attempt === 'number' ? e.attempt : 0;
          upsert(step, taskId, (r) => (FINAL.has(r.state) ? r : { ...r, state: 'running', startedAt: r.startedAt ?? e.time, attempts: Math.max(r.attempts, n) }));
        }
        break;
      case 'task-finished':
        if (step && taskId && typeof e.state === 'string') {
          const state = e.state as TaskState;
          const durationMs = typeof e.durationMs === 'number' ? e.durationMs : null;
          upsert(step, taskId, (r) => (FINAL.has(r.state) ? r : {
            ...r, state, finishedAt: e.time, durationMs: durationMs ?? r.durationMs,
            startedAt: r.startedAt ?? (durationMs !== null ? new Date(Date.parse(e.time) - durationMs).toISOString() : e.time),
            reason: typeof e.reason === 'string' ? e.reason : r.reason, caught: e.caught === true || r.caught,
            cachedFrom: typeof e.cachedFrom === 'string' ? e.cachedFrom : r.cachedFrom,
          }));
          if (state === 'failed' && !next.failures.some((f) => f.step === step && f.taskId === taskId)) {
            const row = next.tasks[step][index.get(step)!.get(taskId)!];
            next.failures.push(failureOf(row, Array.isArray(e.lastLines) ? (e.lastLines as string[]) : []));
            next.failures.sort(byFailure);
          }
        }
        break;
      case 'step-finished': {
        const s = step && steps.get(step);
        if (s && typeof e.state === 'string') {
          const rows = next.tasks[s.step] ?? [];
          // The runtime says `succeeded` for a step whose every task was reused; the records say `cached`.
          s.state = e.state === 'succeeded' && rows.length > 0 && rows.every((r) => r.state === 'cached') ? 'cached' : (e.state as StepView['state']);
          s.finishedAt = e.time;
          if (typeof e.durationMs === 'number') s.durationMs = e.durationMs;
          // A group over an empty list ends without starting its steps: they succeeded (or were skipped) with it.
          if (e.state === 'succeeded' || e.state === 'skipped') {
            for (const d of next.steps) if (d.step.startsWith(`${s.step}.`) && d.state === 'pending' && !d.startedAt) d.state = e.state;
          }
        }
        break;
      }
      case 'run-finished':
        if (typeof e.state === 'string') {
          next.run.state = e.state as RunSnapshot['run']['state'];
          next.run.status = next.run.state;
          next.run.finishedAt = e.time;
          if (typeof e.durationMs === 'number') next.run.durationMs = e.durationMs;
        }
        break;
      default:
        break; // unknown event types are ignored, as the schema asks
    }
  }
  for (const name of touched) {
    const s = steps.get(name);
    if (s) summarize(s, next.tasks[name]);
  }
  summarizeGroups(next.steps);
  return next;
}

/** Counts, total, times and (unless the step finished) state of a step from its task rows. */
export function summarize(s: StepView, rows: readonly TaskRow[]): void {
  const counts: StepView['counts'] = {};
  let start: string | null = null;
  let end: string | null = null;
  for (const r of rows) {
    counts[r.state] = (counts[r.state] ?? 0) + 1;
    if (r.startedAt && (!start || r.startedAt < start)) start = r.startedAt;
    if (r.finishedAt && (!end || r.finishedAt > end)) end = r.finishedAt;
  }
  s.counts = counts;
  s.total = Math.max(s.total, rows.length);
  s.startedAt = s.startedAt && start ? (s.startedAt < start ? s.startedAt : start) : s.startedAt ?? start;
  const finished = s.state === 'succeeded' || s.state === 'failed' || s.state === 'caught' || s.state === 'skipped' || s.state === 'cached';
  if (!finished && rows.length > 0) s.state = 'running';
  if (finished || (rows.length > 0 && rows.length >= s.total && rows.every((r) => FINAL.has(r.state)))) {
    s.finishedAt ??= end;
    if (s.startedAt && s.finishedAt) s.durationMs ??= Date.parse(s.finishedAt) - Date.parse(s.startedAt);
  }
}

/** A group's counts, times and state from its steps (groups have no tasks of their own). */
export function summarizeGroups(steps: StepView[]): void {
  const byParent = new Map<string, StepView[]>();
  for (const s of steps) if (s.parent) byParent.set(s.parent, [...(byParent.get(s.parent) ?? []), s]);
  // Inner groups first: a group's children may be groups.
  for (const g of [...steps].reverse()) {
    if (!g.group) continue;
    const kids = byParent.get(g.step) ?? [];
    const counts: StepView['counts'] = {};
    for (const k of kids) for (const [st, n] of Object.entries(k.counts)) counts[st as TaskState] = (counts[st as TaskState] ?? 0) + (n ?? 0);
    g.counts = counts;
    g.total = kids.reduce((n, k) => n + k.total, 0);
    const starts = kids.map((k) => k.startedAt).filter((t): t is string => !!t).sort();
    const ends = kids.map((k) => k.finishedAt).filter((t): t is string => !!t).sort();
    g.startedAt = starts[0] ?? null;
    const states = new Set(kids.map((k) => k.state));
    g.state = states.has('running') ? 'running' : states.has('failed') ? 'failed' : states.has('pending') && states.size > 1 ? 'running'
      : states.size === 1 ? kids[0].state : states.has('caught') ? 'caught' : kids.every((k) => k.state === 'pending') ? 'pending' : 'succeeded';
    g.finishedAt = kids.length > 0 && ends.length === kids.length ? ends.at(-1)! : null;
    g.durationMs = g.startedAt && g.finishedAt ? Date.parse(g.finishedAt) - Date.parse(g.startedAt) : null;
  }
}

interface PlanStep {
  step: string;
  parent?: string | null;
  foreach?: boolean;
  needs?: string[];
  group?: boolean;
}

/** Pending steps from a plan (`run-started`'s steps, or Run.graph()). */
export function stepsFromPlan(plan: readonly PlanStep[]): StepView[] {
  const parents = new Set(plan.map((s) => s.parent).filter((p): p is string => !!p));
  return plan.map((s) => ({
    step: s.step, parent: s.parent ?? null, group: s.group ?? parents.has(s.step), foreach: !!s.foreach, needs: [...(s.needs ?? [])],
    state: 'pending', total: 0, counts: {}, startedAt: null, finishedAt: null, durationMs: null,
  }));
}

/** A failed task's row as the failures list shows it. */
export function failureOf(r: TaskRow, lastLines: string[]): FailureView {
  return { step: r.step, taskId: r.taskId, state: r.state, reason: r.reason, caught: r.caught, attempts: r.attempts, lastLines };
}

/** Uncaught failures first, then by step and task. */
export function byFailure(a: FailureView, b: FailureView): number {
  return Number(a.caught) - Number(b.caught) || a.step.localeCompare(b.step) || a.taskId.localeCompare(b.taskId, undefined, { numeric: true });
}

/** A foreach item as JSON text of at most `max` characters. */
export function shortJson(v: unknown, max = 80): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function emptyRow(step: string, taskId: string): TaskRow {
  return { step, taskId, state: 'pending', item: null, startedAt: null, finishedAt: null, durationMs: null, attempts: 0, reason: null, caught: false, cachedFrom: null };
}
