/**
 * Every step's executor must be available here: a flow that asks for a container or AWS Batch
 * where this flowctl cannot provide one is rejected at `validate` and `run` (exit 2, naming the
 * step and where it asked), never run somewhere else. Only the kinds a flow uses are checked,
 * so a flow without container steps never waits for a container runtime's probe.
 */
import type { Problem } from '../errors.js';
import { unavailableReason } from '../executors/availability.js';
import { executorKindOf, type ExecutorKind } from '../executors/port.js';
import type { FlowSpec, StepSpec, TaskStepSpec } from '../spec/types.js';

export async function executorProblems(spec: FlowSpec): Promise<Problem[]> {
  const byKind = new Map<ExecutorKind, TaskStepSpec[]>();
  const visit = (steps: StepSpec[]) => {
    for (const step of steps) {
      if (step.kind === 'group') {
        visit(step.steps);
        continue;
      }
      const kind = executorKindOf(step);
      byKind.set(kind, [...(byKind.get(kind) ?? []), step]);
    }
  };
  visit(spec.steps);
  const out: Problem[] = [];
  for (const [kind, steps] of byKind) {
    const why = await unavailableReason(kind);
    if (!why) continue;
    for (const step of steps) {
      const asked = kind === 'batch' ? `executor: batch` : `image: ${step.image}`;
      out.push({
        loc: (kind === 'batch' ? step.settingLocs?.executor : step.settingLocs?.image) ?? step.loc,
        message: `step '${step.path}' asks for ${asked}, but ${why.message}`,
        hint: why.hint,
        rule: 'executor',
      });
    }
  }
  // In file order, like every other list of problems.
  return out.sort((a, b) => (a.loc?.line ?? 0) - (b.loc?.line ?? 0) || (a.loc?.col ?? 0) - (b.loc?.col ?? 0));
}
