/**
 * The steps a run planned, in flow order, from the `run-started` event (the first line of
 * events.ndjson). Only that line is read where the store allows it: the file also holds
 * every log line and can be large.
 */
import { isKeySegment } from '../store/record-check.js';
import type { Store } from '../store/store.js';

/** A step as the run planned it (the `run-started` event's `steps`): its group, fan-out and dependencies. */
export interface PlannedStepJson {
  /** Qualified name (`per_fold.fit`); a group is listed before its steps. */
  step: string;
  /** The enclosing group's qualified name; null at the top level. */
  parent: string | null;
  foreach: boolean;
  /** Qualified names of the steps (or groups) it needs. */
  needs: string[];
  /** A group of steps (has no tasks of its own). */
  group: boolean;
}

/** Leaf step names (groups, which have no tasks, left out) in flow order; undefined when unknown. */
export async function plannedSteps(store: Store, flow: string, runId: string): Promise<string[] | undefined> {
  const planned = await plannedGraph(store, flow, runId);
  return planned && leafSteps(planned);
}

/** Every planned step and group in flow order (groups before their steps); undefined when the run has no readable plan. */
export async function plannedGraph(store: Store, flow: string, runId: string): Promise<PlannedStepJson[] | undefined> {
  const steps = await startedSteps(store, flow, runId);
  if (!steps) return undefined;
  const parents = new Set(steps.map((s) => s.parent).filter((p): p is string => !!p));
  return steps.map((s) => ({ step: s.step, parent: s.parent ?? null, foreach: !!s.foreach, needs: [...(s.needs ?? [])], group: parents.has(s.step) }));
}

/**
 * @internal Each planned step's `deps:` globs (a step without them sees every project file, as
 * do all steps of runs recorded before deps were); undefined when the run has no readable plan.
 */
export async function plannedDeps(store: Store, flow: string, runId: string): Promise<Map<string, string[] | null> | undefined> {
  const steps = await startedSteps(store, flow, runId);
  return steps && new Map(steps.map((s) => [s.step, Array.isArray(s.deps) ? s.deps : null]));
}

interface StartedStep {
  step: string;
  parent?: string;
  foreach?: boolean;
  needs?: string[];
  deps?: string[];
}

async function startedSteps(store: Store, flow: string, runId: string): Promise<StartedStep[] | undefined> {
  const line = await store.readFirstEvent(flow, runId);
  if (!line) return undefined;
  try {
    const ev = JSON.parse(line) as { type?: string; steps?: StartedStep[] } | null;
    if (ev?.type !== 'run-started' || !Array.isArray(ev.steps)) return undefined;
    // A damaged line is no plan: the steps found in the store are listed instead.
    if (!ev.steps.every((s) => isKeySegment(s?.step) && (s.parent === undefined || typeof s.parent === 'string'))) return undefined;
    return ev.steps;
  } catch {
    return undefined;
  }
}

/** Leaf step names (groups, which have no tasks, left out) in flow order. */
export function leafSteps(planned: readonly PlannedStepJson[]): string[] {
  return planned.filter((s) => !s.group).map((s) => s.step);
}
