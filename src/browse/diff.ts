/**
 * `flowctl diff RUN_A RUN_B` as data: params, per-task values and outputs, task and step
 * states and durations of two runs, matched by name (param, `step/task`, output path). Like
 * DVC's `params diff`/`metrics diff`, only what changed is listed unless `all`; steps are
 * always listed, side by side. A cached task counts as succeeded: reusing a result is no change.
 */
import type { Run } from '../client/run.js';
import type { Task } from '../client/task.js';
import type { FileJson, RunJson, StepJson } from '../client/types.js';
import { mapLimit } from '../store/fs-util.js';
import { stepsInOrder } from './run-steps.js';

export type Change = 'added' | 'removed' | 'changed' | 'unchanged';

export interface ParamDiff { name: string; a: unknown; b: unknown; change: Change }
export interface StepSide { state: StepJson['state']; tasks: number; counts: StepJson['counts']; durationMs: number | null }
export interface StepDiff { step: string; a: StepSide | null; b: StepSide | null; change: Change; durationDeltaMs: number | null }
export interface TaskSide { state: string; item: unknown; durationMs: number | null; cachedFrom: string | null }
export interface TaskDiff { step: string; taskId: string; a: TaskSide | null; b: TaskSide | null; change: Change }
export interface ValueDiff { step: string; taskId: string; name: string; a: unknown; b: unknown; change: Change; delta: number | null }
export interface FileSide { type: 'file' | 'dir'; size: number; sha256: string }
export interface FileDiff { path: string; a: Omit<FileSide, 'type'> | null; b: Omit<FileSide, 'type'> | null; change: Change }
export interface OutputDiff {
  step: string; taskId: string; path: string; a: FileSide | null; b: FileSide | null; change: Change;
  /** For a directory output in both runs whose content changed: its files that differ. */
  files: FileDiff[] | null;
}

/** `--json`. Absent sides are null (see `change`); `differ` ignores durations. */
export interface DiffJson {
  kind: 'diff';
  a: RunJson;
  b: RunJson;
  differ: boolean;
  params: ParamDiff[];
  steps: StepDiff[];
  tasks: TaskDiff[];
  values: ValueDiff[];
  outputs: OutputDiff[];
}

interface Side {
  run: Run;
  steps: Map<string, StepJson>;
  tasks: Map<string, Task>;
  order: string[];
}

const PARALLEL = 4;

/** Loads both runs and compares them. */
export async function diffRuns(a: Run, b: Run, o: { all?: boolean } = {}): Promise<DiffJson> {
  const [sa, sb] = await Promise.all([load(a), load(b)]);
  const keep = <T extends { change: Change }>(xs: T[]) => (o.all ? xs : xs.filter((x) => x.change !== 'unchanged'));
  const params = compareParams(a.params, b.params);
  const tasks = compareTasks(sa, sb);
  const values = compareValues(sa, sb);
  const outputs = await compareOutputs(sa, sb);
  const steps = [...new Set([...sa.order, ...sb.order])].map((name) => compareStep(name, sa.steps.get(name), sb.steps.get(name)));
  const differ = [params, tasks, values, outputs, steps].some((xs) => xs.some((x) => x.change !== 'unchanged'));
  return { kind: 'diff', a: a.toJSON(), b: b.toJSON(), differ, params: keep(params), steps, tasks: keep(tasks), values: keep(values), outputs: keep(outputs) };
}

async function load(run: Run): Promise<Side> {
  const steps = await stepsInOrder(run);
  const loaded = await mapLimit(steps, PARALLEL, async (s) => {
    const tasks = await s.tasks();
    return { summary: await s.summary(tasks), tasks };
  });
  const side: Side = { run, steps: new Map(), tasks: new Map(), order: steps.map((s) => s.name) };
  for (const { summary, tasks } of loaded) {
    side.steps.set(summary.step, summary);
    for (const t of tasks) side.tasks.set(`${t.step.name}/${t.id}`, t);
  }
  return side;
}

function compareParams(a: Record<string, unknown>, b: Record<string, unknown>): ParamDiff[] {
  return union(Object.keys(a), Object.keys(b)).map((name) => ({ name, a: a[name] ?? null, b: b[name] ?? null, change: changeOf(name in a, name in b, same(a[name], b[name])) }));
}

function compareStep(step: string, a: StepJson | undefined, b: StepJson | undefined): StepDiff {
  const side = (s: StepJson | undefined): StepSide | null => (s ? { state: s.state, tasks: s.tasks, counts: s.counts, durationMs: s.durationMs } : null);
  const norm = (s: StepJson) => (s.state === 'cached' ? 'succeeded' : s.state);
  return {
    step, a: side(a), b: side(b), change: changeOf(!!a, !!b, !!a && !!b && norm(a) === norm(b) && a.tasks === b.tasks),
    durationDeltaMs: a?.durationMs != null && b?.durationMs != null ? b.durationMs - a.durationMs : null,
  };
}

function compareTasks(a: Side, b: Side): TaskDiff[] {
  const side = (t: Task | undefined): TaskSide | null => t
    ? { state: t.state, item: t.itemIndices.length ? t.item : null, durationMs: t.durationMs ?? null, cachedFrom: t.cachedFrom ? `${t.cachedFrom.runId}/${t.cachedFrom.step}/${t.cachedFrom.taskId}` : null }
    : null;
  const norm = (t: Task) => (t.state === 'cached' ? 'succeeded' : t.state);
  return taskKeys(a, b).map(([key, step, taskId]) => {
    const ta = a.tasks.get(key);
    const tb = b.tasks.get(key);
    return { step, taskId, a: side(ta), b: side(tb), change: changeOf(!!ta, !!tb, !!ta && !!tb && norm(ta) === norm(tb) && same(side(ta)!.item, side(tb)!.item)) };
  });
}

function compareValues(a: Side, b: Side): ValueDiff[] {
  return taskKeys(a, b).flatMap(([key, step, taskId]) => {
    const va = a.tasks.get(key)?.values ?? {};
    const vb = b.tasks.get(key)?.values ?? {};
    return union(Object.keys(va), Object.keys(vb)).map((name) => {
      const [x, y] = [va[name], vb[name]];
      const change = changeOf(name in va, name in vb, same(x, y));
      const delta = typeof x === 'number' && typeof y === 'number' ? Number((y - x).toPrecision(12)) : null;
      return { step, taskId, name, a: name in va ? x : null, b: name in vb ? y : null, change, delta };
    });
  });
}

async function compareOutputs(a: Side, b: Side): Promise<OutputDiff[]> {
  const rows = taskKeys(a, b).flatMap(([key, step, taskId]) => {
    const ta = a.tasks.get(key);
    const tb = b.tasks.get(key);
    const oa = new Map((ta?.outputs ?? []).map((x) => [x.path, x]));
    const ob = new Map((tb?.outputs ?? []).map((x) => [x.path, x]));
    return union([...oa.keys()], [...ob.keys()]).map((path) => {
      const [x, y] = [oa.get(path), ob.get(path)];
      const side = (e: typeof x): FileSide | null => (e ? { type: e.type, size: e.size, sha256: e.hash } : null);
      return { row: { step, taskId, path, a: side(x), b: side(y), change: changeOf(!!x, !!y, x?.hash === y?.hash && x?.type === y?.type), files: null } as OutputDiff, ta, tb };
    });
  });
  await mapLimit(rows.filter((r) => r.row.change === 'changed' && r.row.a?.type === 'dir' && r.row.b?.type === 'dir'), PARALLEL, async (r) => {
    const [fa, fb] = await Promise.all([r.ta!.artifact(r.row.path).info(), r.tb!.artifact(r.row.path).info()]);
    r.row.files = compareFiles(fa.files ?? [], fb.files ?? []);
  });
  return rows.map((r) => r.row);
}

function compareFiles(a: FileJson[], b: FileJson[]): FileDiff[] {
  const ma = new Map(a.map((f) => [f.path, f]));
  const mb = new Map(b.map((f) => [f.path, f]));
  return union([...ma.keys()], [...mb.keys()]).map((path) => {
    const [x, y] = [ma.get(path), mb.get(path)];
    return { path, a: x ? { size: x.size, sha256: x.sha256 } : null, b: y ? { size: y.size, sha256: y.sha256 } : null, change: changeOf(!!x, !!y, x?.sha256 === y?.sha256) };
  }).filter((f) => f.change !== 'unchanged');
}

/** `[step/task, step, task]` of both runs: steps in DAG order (A's, then B's own), tasks by id. */
function taskKeys(a: Side, b: Side): Array<[string, string, string]> {
  const steps = union(a.order, b.order);
  const keys = union([...a.tasks.keys()], [...b.tasks.keys()]).map((key): [string, string, string] => {
    const t = (a.tasks.get(key) ?? b.tasks.get(key))!;
    return [key, t.step.name, t.id];
  });
  return keys.sort(([, sa, ta], [, sb, tb]) => steps.indexOf(sa) - steps.indexOf(sb) || compareTaskIds(ta, tb));
}

/** `2` before `10`, `2.1` before `2.10`. */
function compareTaskIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function changeOf(inA: boolean, inB: boolean, equal: boolean): Change {
  return !inA ? 'added' : !inB ? 'removed' : equal ? 'unchanged' : 'changed';
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** Deep equality of JSON values (object key order does not matter). */
function same(x: unknown, y: unknown): boolean {
  return canonical(x) === canonical(y);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v) ?? 'undefined';
}
