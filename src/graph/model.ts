/**
 * The DAG the renderers draw: steps with their needs, fan-out and nesting, independent of
 * where it came from (a flow file's spec, or the plan a run recorded in its `run-started`
 * event), plus optional marks that say what a run did in each step.
 */
import type { FlowSpec, StepSpec } from '../spec/types.js';
import { topoOrder } from '../spec/dag.js';

export interface DagStep {
  /** Name within its parent (`fit`). */
  name: string;
  /** Qualified name (`per_fold.fit`). */
  path: string;
  /** Sibling step names this step needs. */
  needs: string[];
  fanout?: 'foreach' | 'matrix';
  /** The step has an `if:` (unknown for a run's recorded plan). */
  conditional?: boolean;
  /** A group's steps, in file order; undefined for a step that runs tasks. */
  steps?: DagStep[];
}

export interface Dag {
  name: string;
  steps: DagStep[];
}

/** What a run did in a step, drawn beside it. */
export interface StepMark {
  /** A run/step state (`succeeded`, `failed`, `caught`, `cached`, `skipped`, `running`, `pending`, `not-run`, …): the diagram colour. */
  state: string;
  /** One line of text, e.g. `✔ succeeded  3 tasks  2.1s`. */
  label: string;
}

/** The DAG of a flow file. */
export function dagOfSpec(spec: Pick<FlowSpec, 'name' | 'steps'>): Dag {
  const convert = (s: StepSpec): DagStep => ({
    name: s.name,
    path: s.path,
    needs: s.needs,
    fanout: s.foreach ? (s.foreach.kind === 'matrix' ? 'matrix' : 'foreach') : undefined,
    conditional: s.if !== undefined,
    steps: s.kind === 'group' ? s.steps.map(convert) : undefined,
  });
  return { name: spec.name, steps: spec.steps.map(convert) };
}

/** A step as a run's `run-started` event lists it (qualified names, groups before their steps). */
export interface PlannedStep {
  step: string;
  parent?: string | null;
  foreach: boolean;
  /** Qualified names of the siblings it needs. */
  needs: string[];
}

/** The DAG of a run's recorded plan. */
export function dagOfPlan(flow: string, planned: readonly PlannedStep[]): Dag {
  const byPath = new Map<string, DagStep>();
  const top: DagStep[] = [];
  for (const p of planned) {
    const name = p.parent && p.step.startsWith(`${p.parent}.`) ? p.step.slice(p.parent.length + 1) : p.step;
    const prefix = p.parent ? `${p.parent}.` : '';
    const step: DagStep = {
      name, path: p.step, fanout: p.foreach ? 'foreach' : undefined,
      needs: p.needs.map((n) => (prefix && n.startsWith(prefix) ? n.slice(prefix.length) : n)),
    };
    byPath.set(p.step, step);
    const parent = p.parent ? byPath.get(p.parent) : undefined;
    if (parent) (parent.steps ??= []).push(step);
    else top.push(step);
  }
  return { name: flow, steps: top };
}

/** Every step, groups before their steps, in file order. */
export function allSteps(steps: readonly DagStep[]): DagStep[] {
  return steps.flatMap((s) => [s, ...(s.steps ? allSteps(s.steps) : [])]);
}

/** Qualified names of the steps that run tasks (not groups), in DAG order: dependencies first, file order among equals, a group's steps in its place. */
export function stepsInDagOrder(steps: readonly DagStep[]): string[] {
  return topoOrder(steps).flatMap((s) => (s.steps ? stepsInDagOrder(s.steps) : [s.path]));
}
