/**
 * `run --dry-run` and `resume --dry-run` for the commands: the plan service with the client's
 * explainer of why a task is not reused, printed as a table or (`--json`, `--output json`) JSON.
 */
import { write } from '../browse/io.js';
import type { ResumeOptions, RunFlowOptions } from '../runtime/run-flow.js';
import { shouldColor } from '../term/table.js';

/** Plans `run` (options with `file`) or `resume` (with `runId`) and prints the plan on stdout. */
export async function printDryRun(o: ({ kind: 'run' } & RunFlowOptions) | ({ kind: 'resume' } & ResumeOptions), json: boolean): Promise<void> {
  const [{ planRun, planResume }, { StoreCacheExplainer }] = await Promise.all([
    import('../runtime/dry-run.js'), import('../client/cache-explainer.js'),
  ]);
  const explainer = (store: import('../store/store.js').Store, flow: string) => new StoreCacheExplainer(store, flow);
  const plan = o.kind === 'run' ? await planRun({ ...o, explainer }) : await planResume({ ...o, explainer });
  if (json) return write(process.stdout, `${JSON.stringify(plan, null, 2)}\n`);
  const { renderPlan } = await import('../ui/plan-text.js');
  await write(process.stdout, `${renderPlan(plan, { color: shouldColor(process.stdout) })}\n`);
}
