/** A run's steps in DAG order, for views that walk a whole run (`logs RUN`, `diff`). */
import type { Run } from '../client/run.js';
import type { Step } from '../client/step.js';
import { dagOfPlan, stepsInDagOrder } from '../graph/model.js';

/** The run's steps that run tasks, in DAG order (steps found in the store but not in the plan last). */
export async function stepsInOrder(run: Run): Promise<Step[]> {
  const [plan, names] = await Promise.all([run.plan(), run.stepNames()]);
  const ordered = plan ? stepsInDagOrder(dagOfPlan(run.flow, plan).steps) : [];
  return [...ordered, ...names.filter((n) => !ordered.includes(n))].map((n) => run.step(n));
}
