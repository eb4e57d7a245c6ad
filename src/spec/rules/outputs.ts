/** Outputs name something inside the task directory, each once (after `./` and `/` clean-up). */
import type { Problem } from '../../errors.js';
import { stepDataPath } from '../describe.js';
import { scopes } from '../walk.js';
import type { RuleContext } from './context.js';

export function outputPaths(ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  for (const { steps } of scopes(ctx.spec)) {
    for (const step of steps) {
      if (step.kind !== 'task') continue;
      const seen = new Map<string, number>();
      step.outputs.forEach((out, i) => {
        const at = [...stepDataPath(step.path), 'outputs', i];
        if (out === '') return; // not a string or empty: the schema says so
        if (out === '.') {
          problems.push({ loc: ctx.loc(at), message: `outputs[${i}] of step '${step.path}' names the task directory itself`, rule: 'outputs', hint: 'list the files or directories the step writes' });
        } else if (seen.has(out)) {
          problems.push({ loc: ctx.loc(at), message: `outputs of step '${step.path}' lists '${out}' twice (also outputs[${seen.get(out)}])`, rule: 'outputs' });
        } else {
          seen.set(out, i);
        }
      });
    }
  }
  return problems;
}
