/**
 * A dry run's result: every task the engine planned (cached, would run, skipped, would fail)
 * and every step of the flow, including those whose tasks are only known at run time. The
 * `--dry-run --json` shape (README "JSON shapes").
 */
import type { StepSpec, FlowSpec } from '../spec/types.js';
import { compareTaskIds } from '../store/store.js';
import type { PlannedTask, PlanningRunner } from './plan-runner.js';

export type PlannedTaskState = PlannedTask['state'];

/**
 * `at-run-time`: its fan-out or `if:` reads values of a step that would run first; `empty`: its
 * foreach has no items; `not-reached`: the run would stop before it (a step would fail).
 */
export type PlannedStepState = PlannedTaskState | 'at-run-time' | 'empty' | 'not-reached';

export interface PlannedStep {
  /** Qualified name (`per_fold.fit`); groups are not listed, their steps are. */
  step: string;
  state: PlannedStepState;
  tasks: number;
  counts: Partial<Record<PlannedTaskState, number>>;
  /** Why it is at run time, skipped, empty or not reached; null otherwise. */
  reason: string | null;
}

export interface RunPlan {
  kind: 'plan';
  flow: string;
  /** Relative to the project root. */
  flowFile: string;
  datastore: string;
  /** false when the store does not exist yet (nothing can be reused; a real run creates it). */
  storeExists: boolean;
  /** `resume --dry-run`: the run it would resume. */
  originRunId: string | null;
  noCache: boolean;
  /** Secrets `***`. */
  params: Record<string, unknown>;
  /** The code snapshot's hash (computed, not stored). */
  codeHash: string;
  counts: Partial<Record<PlannedTaskState, number>>;
  steps: PlannedStep[];
  /** In flow order, then task id order. */
  tasks: PlannedTask[];
}

export type PlanMeta = Omit<RunPlan, 'kind' | 'flow' | 'counts' | 'steps' | 'tasks'>;

export function buildPlan(spec: FlowSpec, runner: PlanningRunner, meta: PlanMeta): RunPlan {
  const order = leafSteps(spec.steps);
  const rank = new Map(order.map((s, i) => [s.path, i]));
  const tasks = [...runner.tasks].sort((a, b) => (rank.get(a.step)! - rank.get(b.step)!) || compareTaskIds(a.taskId, b.taskId));
  const stop = tasks.find((t) => t.state === 'would-fail');
  const steps = order.map(({ path, groups }): PlannedStep => {
    const own = tasks.filter((t) => t.step === path);
    const counts = countStates(own);
    if (own.length) {
      const state = counts['would-fail'] ? 'would-fail' : counts['would-run'] ? 'would-run' : counts.cached ? 'cached' : 'skipped';
      const reasons = [...new Set(own.map((t) => t.reason))];
      return { step: path, state, tasks: own.length, counts, reason: state === 'skipped' && reasons.length === 1 ? reasons[0]! : null };
    }
    const none = { step: path, tasks: 0, counts };
    for (const p of [path, ...groups]) {
      const why = runner.deferred.get(p);
      if (why) return { ...none, state: 'at-run-time', reason: p === path ? why : `group ${p} ${why}` };
      const nodes = runner.nodes.filter((n) => n.path === p);
      if (nodes.length === 0) continue;
      if (nodes.some((n) => n.outcome === 'skipped')) return { ...none, state: 'skipped', reason: `group ${p} is skipped: ${nodes.find((n) => n.reason)?.reason ?? ''}` };
      if (nodes.some((n) => n.outcome === 'failed')) return { ...none, state: 'would-fail', reason: `group ${p}: ${nodes.find((n) => n.reason)?.reason ?? 'fails'}` };
      if (nodes.every((n) => n.status === 'done')) return { ...none, state: 'empty', reason: `${p === path ? 'its' : `group ${p}'s`} foreach has no items` };
    }
    return { ...none, state: 'not-reached', reason: stop ? `the run would stop at ${stop.step}/${stop.taskId}` : null };
  });
  return { kind: 'plan', flow: spec.name, ...meta, counts: countStates(tasks), steps, tasks };
}

function countStates(tasks: PlannedTask[]): Partial<Record<PlannedTaskState, number>> {
  const out: Partial<Record<PlannedTaskState, number>> = {};
  for (const t of tasks) out[t.state] = (out[t.state] ?? 0) + 1;
  return out;
}

/** Task steps in file order, with their enclosing groups (innermost first). */
function leafSteps(steps: StepSpec[], groups: string[] = []): Array<{ path: string; groups: string[] }> {
  return steps.flatMap((s) => (s.kind === 'group' ? leafSteps(s.steps, [s.path, ...groups]) : [{ path: s.path, groups }]));
}
