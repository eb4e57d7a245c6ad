/**
 * Everything the run page shows, built with the client API: the plan (Run.graph), every task's
 * record, and for a run that is still going, its event log folded in (tasks that have no record
 * yet, fan-out sizes planned so far). Finished runs' snapshots are cached: they no longer change.
 */
import type { Run, Step, Task } from '../client/index.js';
import { mapLimit } from './limit.js';
import { applyEvents, byFailure, failureOf, shortJson, stepsFromPlan, summarize, summarizeGroups } from './shared/run-reducer.js';
import type { FailureView, RunSnapshot, StepView, TaskRow, ValuesRow } from './shared/types.js';
import { logTail } from './log-tail.js';

/** Values rows kept in a snapshot (a 10,000-task fan-out that publishes values would otherwise send them all). */
export const VALUES_LIMIT = 2000;
/** Failures whose last log lines are read (each costs a log read). */
const TAILED_FAILURES = 20;
const TAIL_LINES = 20;

/** The run page's data; `eventsOffset` says where a live stream continues (null once the run finished). */
export async function buildSnapshot(run: Run): Promise<RunSnapshot> {
  const plan = await run.graph();
  let snap: RunSnapshot = {
    run: { ...run.toJSON(), status: run.status }, steps: stepsFromPlan(plan), tasks: {}, failures: [], values: [], valuesTruncated: false, eventsOffset: null,
  };
  if (!run.finished) {
    // Fold the log first, then overlay records: a record read after the fold is at least as new.
    let from = 0;
    for (;;) {
      const page = await run.events({ from, logs: false });
      snap = applyEvents(snap, page.events);
      from = page.next;
      if (!page.more) break;
    }
    // A run that stopped heartbeating is not followed: nothing will come (the page says dead?).
    snap.eventsOffset = run.stale ? null : from;
    snap.run = { ...run.toJSON(), status: run.status };
  }
  const steps = await run.steps();
  const known = new Set(snap.steps.map((s) => s.step));
  for (const s of steps) if (!known.has(s.name)) snap.steps.push(stepsFromPlan([{ step: s.name }])[0]);
  const loaded = await Promise.all(steps.map(async (s) => ({ step: s, tasks: await s.tasks() })));
  const values: ValuesRow[] = [];
  const failed: Task[] = [];
  for (const { step, tasks } of loaded) {
    const view = snap.steps.find((v) => v.step === step.name)!;
    const rows = mergeRows(snap.tasks[step.name] ?? [], tasks.map(rowOf));
    snap.tasks[step.name] = rows;
    await overlayStep(view, step, tasks, run.finished);
    summarize(view, rows);
    for (const t of tasks) {
      if (Object.keys(t.values).length > 0) values.push({ step: step.name, taskId: t.id, values: t.values });
      if (t.state === 'failed') failed.push(t);
    }
  }
  for (const v of snap.steps) if (!v.group && !snap.tasks[v.step]) snap.tasks[v.step] = [];
  if (run.finished) for (const v of snap.steps) if (!v.group && v.state === 'pending') v.state = 'not-run';
  summarizeGroups(snap.steps);
  snap.values = values.slice(0, VALUES_LIMIT);
  snap.valuesTruncated = values.length > VALUES_LIMIT;
  snap.failures = await failuresOf(failed, snap.failures);
  return snap;
}

/** Rows from the fold, replaced by the row of a record where one exists (records are the truth). */
function mergeRows(folded: TaskRow[], recorded: TaskRow[]): TaskRow[] {
  const byId = new Map(folded.map((r) => [r.taskId, r]));
  for (const r of recorded) {
    const f = byId.get(r.taskId);
    // A running task has no record yet: its row from the log knows more (start time).
    byId.set(r.taskId, f && r.state === 'running' ? { ...f, attempts: Math.max(f.attempts, r.attempts) } : r);
  }
  return [...byId.values()].sort((a, b) => compareIds(a.taskId, b.taskId));
}

async function overlayStep(view: StepView, step: Step, tasks: Task[], finished: boolean): Promise<void> {
  // A live run's fold knows a taskless step's state; a finished run's comes from its events.
  if (tasks.length === 0 && !finished) return;
  const sum = await step.summary(tasks);
  // A finished run's records say everything; a live one's step-finished event may be ahead of them.
  if (finished || view.state === 'pending' || view.state === 'running') view.state = sum.state;
  view.startedAt = sum.startedAt ?? view.startedAt;
  view.finishedAt = sum.finishedAt ?? view.finishedAt;
  view.durationMs = sum.durationMs ?? view.durationMs;
}

export function rowOf(t: Task): TaskRow {
  const r = t.record;
  const from = t.cachedFrom;
  return {
    step: t.step.name, taskId: t.id, state: t.state, item: r?.item === undefined ? null : shortJson(r.item), startedAt: r?.startedAt ?? null,
    finishedAt: r?.finishedAt ?? null, durationMs: r?.durationMs ?? null, attempts: t.attemptCount, reason: t.reason ?? null, caught: t.caught,
    cachedFrom: from ? `${from.runId}/${from.step}/${from.taskId}` : null,
  };
}

async function failuresOf(failed: Task[], folded: FailureView[]): Promise<FailureView[]> {
  const known = new Map(folded.map((f) => [`${f.step}/${f.taskId}`, f]));
  const out = failed.map((t) => failureOf(rowOf(t), known.get(`${t.step.name}/${t.id}`)?.lastLines ?? [])).sort(byFailure);
  await mapLimit(out.slice(0, TAILED_FAILURES), 4, async (f, i) => {
    if (f.lastLines.length > 0 || f.attempts === 0) return;
    const task = failed.find((t) => t.step.name === f.step && t.id === f.taskId)!;
    const err = await logTail(task, 'stderr', TAIL_LINES);
    out[i] = { ...f, lastLines: err.length > 0 ? err : await logTail(task, 'stdout', TAIL_LINES) };
  });
  return out;
}

function compareIds(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true });
}
