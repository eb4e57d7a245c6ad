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
  const line = await store.readFirstEvent(flow, runId);
  if (!line) return undefined;
  try {
    const ev = JSON.parse(line) as { type?: string; steps?: Array<{ step: string; parent?: string; foreach?: boolean; needs?: string[] }> } | null;
    if (ev?.type !== 'run-started' || !Array.isArray(ev.steps)) return undefined;
    // A damaged line is no plan: the steps found in the store are listed instead.
    if (!ev.steps.every((s) => isKeySegment(s?.step) && (s.parent === undefined || typeof s.parent === 'string'))) return undefined;
    const parents = new Set(ev.steps.map((s) => s.parent).filter((p): p is string => !!p));
    return ev.steps.map((s) => ({ step: s.step, parent: s.parent ?? null, foreach: !!s.foreach, needs: [...(s.needs ?? [])], group: parents.has(s.step) }));
  } catch {
    return undefined;
  }
}

/** Leaf step names (groups, which have no tasks, left out) in flow order. */
export function leafSteps(planned: readonly PlannedStepJson[]): string[] {
  return planned.filter((s) => !s.group).map((s) => s.step);
}
