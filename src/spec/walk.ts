/** Traversal of a FlowSpec's nested scopes (top level, then each group's inner steps). */
import type { FlowSpec, GroupStepSpec, StepSpec } from './types.js';

export interface Scope {
  /** The sibling steps of this scope, in file order. */
  steps: StepSpec[];
  /** Enclosing groups, outermost first, each with the scope it sits in. */
  ancestors: Array<{ group: GroupStepSpec; siblings: StepSpec[] }>;
}

/** Every scope of the flow, outermost first. */
export function scopes(spec: Pick<FlowSpec, 'steps'>): Scope[] {
  const out: Scope[] = [];
  const visit = (steps: StepSpec[], ancestors: Scope['ancestors']) => {
    out.push({ steps, ancestors });
    for (const s of steps) if (s.kind === 'group') visit(s.steps, [...ancestors, { group: s, siblings: steps }]);
  };
  visit(spec.steps, []);
  return out;
}

/** Whether a step runs once per item: it or an enclosing group has foreach/matrix. */
export function fansOut(step: StepSpec, ancestors: Scope['ancestors']): boolean {
  return step.foreach !== undefined || ancestors.some((a) => a.group.foreach !== undefined);
}
