/** The task that really ran: a cached or resumed task's outputs and logs come from another run's task. */
import { Run } from './run.js';
import type { Task } from './task.js';

const MAX_HOPS = 50;

/**
 * The task whose attempts produced `task`'s outputs: `task` itself, or the task its `cachedFrom`
 * names (followed through chains of reuse), found in any namespace.
 * @example const ran = await producingTask(run.step('fit').task(0)); console.log(await ran.logs());
 */
export async function producingTask(task: Task): Promise<Task> {
  let t = await task.load();
  for (let i = 0; i < MAX_HOPS && t.cachedFrom && t.attemptCount === 0; i++) {
    const from = t.cachedFrom;
    const run = await Run.resolve(t.run.ctx.withNamespace(null), { runId: from.runId });
    t = await run.step(from.step).task(from.taskId).load();
  }
  return t;
}
