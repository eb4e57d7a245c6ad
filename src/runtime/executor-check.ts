/**
 * Every step's executor must be available here: a flow that asks for a container or AWS Batch
 * where this flowctl cannot provide one is rejected at `validate` and `run` (exit 2, naming the
 * step and where it asked), never run somewhere else. `--executor` rewrites the steps first. Only
 * the kinds a flow uses are checked, so a flow without container steps never waits for a
 * container runtime's probe.
 */
import type { Problem } from '../errors.js';
import { unavailableReason } from '../executors/availability.js';
import { executorKindOf, type ExecutorKind } from '../executors/port.js';
import type { FlowSpec, StepSpec, TaskStepSpec } from '../spec/types.js';
import { datastoreSetting } from '../store/open.js';
import { batchStepProblems, type BatchSetup } from './batch-check.js';

/** What a run is set up with: the datastore (`--datastore`/FLOWCTL_DATASTORE) and the default Batch queue. */
export type RunSetup = BatchSetup;

/** The datastore and default Batch queue a run uses, from its options and the environment. */
export function runSetup(o: { datastore?: string; batchQueue?: string }, env: NodeJS.ProcessEnv = process.env): RunSetup {
  return { datastore: datastoreSetting(o.datastore, env), batchQueue: o.batchQueue || env.FLOWCTL_BATCH_QUEUE || undefined };
}

export async function executorProblems(spec: FlowSpec, setup: RunSetup = {}): Promise<Problem[]> {
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
    const why = await unavailableReason(kind, setup);
    for (const step of steps) {
      if (!why) {
        if (kind === 'batch') out.push(...batchStepProblems(spec, step, setup));
        continue;
      }
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

/**
 * `--executor batch`: every step with an image runs on AWS Batch (steps without one stay here);
 * `--executor local`: every step runs on this machine (a step with an image in a container).
 */
export function withExecutor(spec: FlowSpec, executor: 'batch' | 'local' | undefined): FlowSpec {
  if (!executor) return spec;
  const map = (steps: StepSpec[]): StepSpec[] => steps.map((s) => {
    if (s.kind === 'group') return { ...s, steps: map(s.steps) };
    const next = executor === 'batch' ? (s.image ? 'batch' : 'local') : 'local';
    if (next === s.executor) return s;
    // Problems about the executor point at the step: the flag, not the file, chose it.
    const { executor: _asked, ...locs } = s.settingLocs ?? {};
    return { ...s, executor: next, settingLocs: locs };
  });
  return { ...spec, steps: map(spec.steps) };
}
