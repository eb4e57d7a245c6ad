/**
 * Every step's executor must be available here: a flow that asks for a container or AWS Batch
 * where this flowctl cannot provide one is rejected at `validate` and `run` (exit 2, naming the
 * step and where it asked), never run somewhere else.
 */
import type { Problem } from '../errors.js';
import { unavailableReason } from '../executors/availability.js';
import { executorKindOf } from '../executors/port.js';
import type { FlowSpec, StepSpec } from '../spec/types.js';

export function executorProblems(spec: FlowSpec): Problem[] {
  const out: Problem[] = [];
  const visit = (steps: StepSpec[]) => {
    for (const step of steps) {
      if (step.kind === 'group') {
        visit(step.steps);
        continue;
      }
      const kind = executorKindOf(step);
      const why = unavailableReason(kind);
      if (!why) continue;
      const asked = kind === 'batch' ? `executor: batch` : `image: ${step.image}`;
      out.push({
        loc: (kind === 'batch' ? step.settingLocs?.executor : step.settingLocs?.image) ?? step.loc,
        message: `step '${step.path}' asks for ${asked}, but ${why.message}`,
        hint: why.hint,
        rule: 'executor',
      });
    }
  };
  visit(spec.steps);
  // In file order, like every other list of problems.
  return out.sort((a, b) => (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0));
}
