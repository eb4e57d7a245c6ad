/**
 * Turns view state into the lines of one frame: pure, so the picture is decided (and
 * tested) without Ink or a terminal. Every line fits `columns`; a live frame also fits
 * `rows` by collapsing finished steps and dropping task details and log lines first.
 */
import {
  finishedCount, stepStatus, type Counts, type StepStatus, type StepView, type TaskView, type ViewState,
} from './state.js';
import { LOOK, SPINNER } from '../../term/look.js';
import { summary } from './summary.js';
import { clock, plural, shortValue, truncate, type Line, type Segment } from './text.js';

export interface FrameOptions {
  /** Wall-clock time of the frame (ms), for elapsed times and the spinner. */
  now: number;
  columns: number;
  /** Terminal height; a live frame stays below it. Undefined: no limit. */
  rows?: number;
  /** The run is over and the view is closing: full tree and summary, no task details. */
  final?: boolean;
}

const TASK_ROWS_PER_STEP = 5;
const LOG_LINES_SHOWN = 2;

interface Ctx {
  o: FrameOptions;
  spinner: string;
  nameWidth: number;
  barWidth: number;
  runFinished: boolean;
  runInterrupted: boolean;
  tasksByStep: Map<string, TaskView[]>;
}

export function layoutFrame(s: ViewState, o: FrameOptions): Line[] {
  const columns = Math.max(20, o.columns);
  const final = o.final === true || s.finished !== undefined;
  const tasksByStep = new Map<string, TaskView[]>();
  if (!final) {
    for (const t of s.running.values()) {
      const list = tasksByStep.get(t.step);
      if (list) list.push(t);
      else tasksByStep.set(t.step, [t]);
    }
  }
  const longest = Math.max(4, ...s.steps.map((x) => 2 * x.depth + x.name.length));
  const nameWidth = Math.min(longest, Math.max(10, Math.floor(columns * 0.3)));
  const ctx: Ctx = {
    o: { ...o, columns }, spinner: SPINNER[Math.floor(o.now / 100) % SPINNER.length]!, nameWidth,
    barWidth: Math.max(0, Math.min(24, Math.floor((columns - nameWidth - 12) * 0.4))),
    runFinished: s.finished !== undefined, runInterrupted: s.finished?.state === 'interrupted', tasksByStep,
  };

  const head = [header(s)];
  const foot = final ? summary(s, columns) : [...s.warnings.map((w): Line => [{ text: `! ${w}`, color: 'yellow' }]), footer(s, ctx)];
  const budget = final || o.rows === undefined ? Infinity : Math.max(0, o.rows - 1 - head.length - foot.length);

  const statuses = s.steps.map((x) => {
    const counts = x.isGroup ? groupTotals(s, x).counts : x.counts;
    return stepStatus({ ...x, counts }, tasksByStep.get(x.step) ?? [], ctx.runFinished, ctx.runInterrupted);
  });
  const shown = chooseSteps(statuses, budget);
  const body: Line[] = [];
  const details = final ? new Map<number, Line[]>() : chooseDetails(s, ctx, shown, budget - shown.size - (shown.size < s.steps.length ? 1 : 0));
  s.steps.forEach((x, i) => {
    if (!shown.has(i)) return;
    body.push(stepLine(s, x, statuses[i]!, ctx));
    body.push(...(details.get(i) ?? []));
  });
  if (shown.size < s.steps.length) body.push(hiddenLine(statuses, shown));
  return [...head, ...body, ...foot].map((l) => (l.wrap ? l : truncate(l, columns)));
}

/** Which steps get a row: all if they fit, else the most interesting ones, in DAG order. */
function chooseSteps(statuses: StepStatus[], budget: number): Set<number> {
  const all = statuses.map((_, i) => i);
  if (statuses.length <= budget) return new Set(all);
  const rank = (st: StepStatus) => (['running', 'retrying', 'failed', 'interrupted', 'stopped'].includes(st) ? 0 : st === 'caught' ? 1 : st === 'pending' ? 2 : 3);
  const keep = Math.max(0, budget - 1);
  return new Set(all.sort((a, b) => rank(statuses[a]!) - rank(statuses[b]!) || a - b).slice(0, keep));
}

function hiddenLine(statuses: StepStatus[], shown: Set<number>): Line {
  const hidden = statuses.filter((_, i) => !shown.has(i));
  const pending = hidden.filter((x) => x === 'pending').length;
  const done = hidden.length - pending;
  const parts = [done ? `${done} done` : '', pending ? `${pending} pending` : ''].filter(Boolean).join(', ');
  return [{ text: `  … ${plural(hidden.length, 'more step')} (${parts})`, color: 'gray' }];
}

/**
 * Task rows and log lines under running steps, by priority: a row per running task of a
 * fan-out (up to TASK_ROWS_PER_STEP), then the last log line of each, then the one before.
 */
function chooseDetails(s: ViewState, ctx: Ctx, shown: Set<number>, budget: number): Map<number, Line[]> {
  const items: Array<{ step: number; order: number; tier: number; line: Line }> = [];
  s.steps.forEach((x, i) => {
    const tasks = ctx.tasksByStep.get(x.step);
    if (!shown.has(i) || !tasks) return;
    const indent = ' '.repeat(2 * x.depth + 4);
    const single = !x.fanned && x.planned <= 1 && tasks.length === 1;
    const visible = single ? tasks : tasks.slice(0, TASK_ROWS_PER_STEP);
    visible.forEach((t) => {
      if (!single) items.push({ step: i, order: items.length, tier: 1, line: taskLine(t, ctx, indent) });
      const lines = t.lines.slice(-LOG_LINES_SHOWN);
      lines.forEach((l, j) => {
        items.push({ step: i, order: items.length, tier: 2 + (lines.length - 1 - j), line: [{ text: `${indent}${single ? '' : '  '}│ ${l}`, color: 'gray' }] });
      });
    });
    if (tasks.length > visible.length) {
      items.push({ step: i, order: items.length, tier: 1, line: [{ text: `${indent}+ ${tasks.length - visible.length} more running`, color: 'gray' }] });
    }
  });
  const picked = [...items].sort((a, b) => a.tier - b.tier || a.order - b.order).slice(0, Math.max(0, budget));
  picked.sort((a, b) => a.order - b.order);
  const out = new Map<number, Line[]>();
  for (const p of picked) {
    const list = out.get(p.step);
    if (list) list.push(p.line);
    else out.set(p.step, [p.line]);
  }
  return out;
}

function header(s: ViewState): Line {
  const line: Line = [{ text: s.flow ?? 'flowctl', bold: true }];
  if (s.runId) line.push({ text: ` · run ${s.runId}`, color: 'gray' });
  if (s.originRunId) line.push({ text: ` · resumed from ${s.originRunId}`, color: 'gray' });
  return line;
}

function stepLine(s: ViewState, x: StepView, status: StepStatus, ctx: Ctx): Line {
  const look = LOOK[status];
  const icon = status === 'running' ? ctx.spinner : look.icon;
  const name = (' '.repeat(2 * x.depth) + x.name).padEnd(ctx.nameWidth);
  // a step the run ended in the middle of (interrupted) ran until the run ended
  const end = s.finished && s.startedAt !== undefined ? s.startedAt + s.finished.durationMs : ctx.o.now;
  const elapsed = x.durationMs ?? (x.startedAt !== undefined ? Math.max(0, end - x.startedAt) : undefined);
  const line: Line = [
    { text: `${icon} `, color: look.color },
    { text: name, bold: status === 'running' || status === 'retrying' || status === 'failed' },
    { text: ` ${(elapsed === undefined ? '' : clock(elapsed)).padStart(6)}  `, color: 'gray' },
  ];
  const tasks = ctx.tasksByStep.get(x.step) ?? [];
  const { planned, counts } = x.isGroup ? groupTotals(s, x) : { planned: x.planned, counts: x.counts };
  const done = finishedCount(counts);
  const total = Math.max(planned, done + tasks.length);
  const fanned = x.fanned || total > 1 || (x.isGroup && total > 0);
  if (!fanned || status === 'pending' || status === 'not-run') {
    line.push(...singleDetail(status, look, tasks[0], ctx));
    return line;
  }
  if (ctx.barWidth >= 5) line.push(...bar(done, total, ctx.barWidth, (counts.failed ?? 0) > x.caught ? 'red' : 'green'), { text: ' ' });
  line.push({ text: `${done}/${total}` });
  const extra: Segment[] = [];
  const queued = tasks.filter((t) => t.retryAt === undefined && isQueued(t)).length;
  const running = tasks.filter((t) => t.retryAt === undefined).length - queued;
  const waiting = tasks.length - running - queued;
  if (running) extra.push({ text: `${running} running`, color: 'cyan' });
  if (queued) extra.push({ text: `${queued} queued on AWS Batch`, color: 'gray' });
  if (waiting) extra.push({ text: `${waiting} retrying`, color: 'yellow' });
  const failed = (counts.failed ?? 0) - x.caught;
  if (failed > 0) extra.push({ text: `${failed} failed`, color: 'red' });
  if (x.caught) extra.push({ text: `${x.caught} caught`, color: 'yellow' });
  if (counts.interrupted) extra.push({ text: `${counts.interrupted} interrupted`, color: LOOK.interrupted.color });
  if (counts.cached) extra.push({ text: `${counts.cached} cached`, color: 'blue' });
  if (counts.skipped) extra.push({ text: `${counts.skipped} skipped`, color: 'gray' });
  // Say the state in words where the counts do not already say it (and for colour-blind eyes).
  if ((status === 'interrupted' && !counts.interrupted) || status === 'stopped' || status === 'retrying' || (status === 'failed' && failed <= 0) || (status === 'skipped' && !counts.skipped)) {
    extra.unshift({ text: look.word, color: look.color });
  }
  for (const e of extra) line.push({ text: ' · ', color: 'gray' }, e);
  return line;
}

function singleDetail(status: StepStatus, look: (typeof LOOK)[StepStatus], t: TaskView | undefined, ctx: Ctx): Segment[] {
  if (t && t.retryAt !== undefined) {
    return [{ text: `retry in ${clock(Math.max(0, t.retryAt - ctx.o.now))}`, color: 'yellow' }, ...attemptNote(t, true)];
  }
  if (t && t.attempt > 1) return [{ text: `attempt ${t.attempt}/${t.maxAttempts}`, color: 'yellow' }, ...attemptNote(t, false), ...remoteNote(t)];
  if (t?.remote) return [{ text: isQueued(t) ? 'queued' : look.word, color: isQueued(t) ? 'gray' : look.color }, ...remoteNote(t)];
  // Started but no task running yet: it waits for a free worker.
  if (status === 'running' && !t) return [{ text: 'queued', color: 'gray' }];
  return [{ text: look.word, color: look.color }, ...(t?.image ? [{ text: ` · ${t.image}`, color: 'gray' as const }] : [])];
}

function attemptNote(t: TaskView, waiting: boolean): Segment[] {
  const what = waiting ? `attempt ${t.attempt}/${t.maxAttempts} failed` : 'last failure';
  return t.lastFailure ? [{ text: ` · ${what}: ${t.lastFailure}`, color: 'gray' }] : [];
}

function taskLine(t: TaskView, ctx: Ctx, indent: string): Line {
  const waiting = t.retryAt !== undefined;
  const line: Line = [
    { text: `${indent}${waiting ? '↻' : ctx.spinner} `, color: waiting ? 'yellow' : 'cyan' },
    { text: `${t.step}/${t.taskId}` },
  ];
  // The item is worth a glance unless it is just the index already in the task id.
  const item = t.item === undefined ? undefined : shortValue(t.item, 24);
  if (item !== undefined && item !== t.taskId.split('.').pop()) line.push({ text: ` ${item}`, color: 'gray' });
  line.push({ text: `  ${clock(ctx.o.now - t.startedAt)}`, color: 'gray' });
  if (t.image) line.push({ text: ` · ${t.image}`, color: 'gray' });
  if (waiting) line.push({ text: ` · retry in ${clock(Math.max(0, t.retryAt! - ctx.o.now))}`, color: 'yellow' }, ...attemptNote(t, true));
  else if (t.attempt > 1) line.push({ text: ` · attempt ${t.attempt}/${t.maxAttempts}`, color: 'yellow' });
  if (!waiting) line.push(...remoteNote(t));
  return line;
}

/** Batch's state and the job id of a remote attempt: ` · batch RUNNABLE · job 1f2e…:3`. */
function remoteNote(t: TaskView): Segment[] {
  return t.remote ? [{ text: ` · batch ${t.remote.status.toUpperCase()} · job ${t.remote.jobId}`, color: 'gray' }] : [];
}

/** Waiting in AWS Batch's queue (submitted, pending, runnable): not running anywhere yet. */
function isQueued(t: TaskView): boolean {
  return t.remote !== undefined && ['submitted', 'pending', 'runnable'].includes(t.remote.status);
}

function groupTotals(s: ViewState, g: StepView): { planned: number; counts: Counts } {
  let planned = 0;
  const counts: Partial<Record<string, number>> = { ...g.counts };
  const prefix = g.step + '.';
  for (const x of s.steps) {
    if (!x.step.startsWith(prefix) || x.isGroup) continue;
    planned += Math.max(x.planned, finishedCount(x.counts));
    for (const [k, v] of Object.entries(x.counts)) counts[k] = (counts[k] ?? 0) + (v ?? 0);
  }
  return { planned, counts: counts as Counts };
}

function bar(done: number, total: number, width: number, color: Segment['color']): Segment[] {
  const filled = total === 0 ? 0 : Math.min(width, Math.floor((done / total) * width));
  return [{ text: '█'.repeat(filled), color }, { text: '░'.repeat(width - filled), color: 'gray' }];
}

function runTotals(s: ViewState, ctx: Ctx): { done: number; total: number; running: number } {
  let total = 0;
  for (const x of s.steps) {
    if (!x.isGroup) total += Math.max(x.planned, finishedCount(x.counts) + (ctx.tasksByStep.get(x.step)?.length ?? 0));
  }
  const done = finishedCount(s.counts);
  return { done, total: Math.max(total, done + s.running.size), running: s.running.size };
}

function footer(s: ViewState, ctx: Ctx): Line {
  const { done, total, running } = runTotals(s, ctx);
  const line: Line = [{ text: `${ctx.spinner} `, color: 'cyan' }];
  if (ctx.barWidth >= 5) line.push(...bar(done, total, ctx.barWidth, (s.counts.failed ?? 0) > 0 ? 'red' : 'green'), { text: ' ' });
  line.push({ text: `${done}/${plural(total, 'task')}`, bold: true });
  if (running) line.push({ text: ` · ${running} running`, color: 'cyan' });
  if (s.failureCount) line.push({ text: ` · ${s.failureCount} failed`, color: 'red' });
  if (s.counts.cached) line.push({ text: ` · ${s.counts.cached} cached`, color: 'blue' });
  if (s.startedAt !== undefined) line.push({ text: ` · ${clock(ctx.o.now - s.startedAt)}`, color: 'gray' });
  return line;
}
