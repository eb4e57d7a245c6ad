/**
 * `run --dry-run` as text (dvc status / terraform plan): one row per step, or per group of a
 * step's tasks that share a decision and its reason, then the totals. Colour on a terminal only.
 */
import type { PlannedTask, RunPlan } from '../runtime/dry-run.js';
import { cell, paint, renderTable } from '../term/table.js';

const LABEL: Record<string, string> = {
  'would-run': 'run', cached: 'cached', skipped: 'skipped', 'would-fail': 'fails', 'at-run-time': 'at run time', empty: 'no tasks', 'not-reached': 'not reached',
};
const COLOR: Record<string, (s: string) => string> = {
  run: paint.cyan, cached: paint.blue, skipped: paint.gray, fails: paint.red, 'at run time': paint.yellow, 'no tasks': paint.gray, 'not reached': paint.gray,
};
/** Task ids listed in a row before `… (N tasks)`. */
const MAX_IDS = 6;

export function renderPlan(plan: RunPlan, o: { color: boolean }): string {
  const rows: string[][] = [];
  for (const step of plan.steps) {
    const tasks = plan.tasks.filter((t) => t.step === step.step);
    if (tasks.length === 0) {
      rows.push([step.step, '-', LABEL[step.state] ?? step.state, cell(step.reason)]);
      continue;
    }
    for (const g of groupTasks(tasks)) rows.push([step.step, taskList(g.ids), LABEL[g.state]!, cell(g.why)]);
  }
  const head = `Plan for ${plan.flow} (${plan.flowFile})${plan.originRunId ? `, resuming ${plan.originRunId}` : ''}: nothing was run or recorded.`;
  const notes = [
    !plan.storeExists && `No store at ${plan.datastore} yet: nothing can be reused.`,
    plan.noCache && '--no-cache: no earlier result is looked up.',
  ].filter((x): x is string => !!x);
  const table = renderTable(['STEP', 'TASKS', 'PLAN', 'WHY'], rows, {
    color: o.color,
    style: (text, _row, col) => (col === 2 ? (COLOR[text] ?? ((s: string) => s))(text) : text),
  });
  return [head, ...notes, '', table, '', totals(plan)].join('\n');
}

/** `2 tasks would run, 3 cached, 1 skipped.` */
export function totals(plan: RunPlan): string {
  const c = plan.counts;
  const n = (k: keyof typeof c) => c[k] ?? 0;
  const parts = [`${n('would-run')} task${n('would-run') === 1 ? '' : 's'} would run`, `${n('cached')} cached`];
  if (n('skipped')) parts.push(`${n('skipped')} skipped`);
  if (n('would-fail')) parts.push(`${n('would-fail')} would fail`);
  const later = plan.steps.filter((s) => s.state === 'at-run-time').length;
  if (later) parts.push(`${later} step${later === 1 ? '' : 's'} planned at run time`);
  return `${parts.join(', ')}.`;
}

interface TaskGroup {
  state: PlannedTask['state'];
  why: string;
  ids: string[];
}

/** Consecutive tasks with the same decision and reason share a row. */
function groupTasks(tasks: PlannedTask[]): TaskGroup[] {
  const out: TaskGroup[] = [];
  for (const t of tasks) {
    const why = whyOf(t);
    const last = out.at(-1);
    if (last && last.state === t.state && last.why === why) last.ids.push(t.taskId);
    else out.push({ state: t.state, why, ids: [t.taskId] });
  }
  return out;
}

function whyOf(t: PlannedTask): string {
  if (t.state === 'skipped' || t.state === 'would-fail') return t.reason ?? '';
  const s = t.cache?.summary ?? '';
  if (t.state === 'cached') {
    // Tasks reused from the same task of one run share a row: `reused from train/<run>`.
    const from = t.cache?.reusedFrom?.split('/') ?? [];
    const same = from.length === 4 && from[2] === t.step && from[3] === t.taskId;
    return same ? `${t.cache?.reuse === 'resume' ? 'cloned' : 'reused'} from ${from[0]}/${from[1]}` : s;
  }
  return s.replace(/^would run(: )?/, '');
}

/** `0-3, 7` and `… (40 tasks)` past a few. */
function taskList(ids: string[]): string {
  const ranges: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    let j = i;
    while (j + 1 < ids.length && /^\d+$/.test(ids[j]!) && /^\d+$/.test(ids[j + 1]!) && Number(ids[j + 1]) === Number(ids[j]) + 1) j++;
    ranges.push(j > i ? `${ids[i]}-${ids[j]}` : ids[i]!);
    i = j;
  }
  const shown = ranges.slice(0, MAX_IDS).join(', ');
  return ranges.length > MAX_IDS ? `${shown}, … (${ids.length} tasks)` : ids.length > 1 && ranges.length < ids.length ? `${shown} (${ids.length})` : shown;
}
