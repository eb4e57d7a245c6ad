/** A step's `params:` list (or the default one) names declared params only. */
import type { Problem } from '../../errors.js';
import { stepDataPath } from '../describe.js';
import type { DataPath } from '../positions.js';
import { didYouMean } from '../suggest.js';
import { scopes } from '../walk.js';
import type { RuleContext } from './context.js';

export function stepParams(ctx: RuleContext): Problem[] {
  const declared = new Set(ctx.spec.params.map((p) => p.name));
  const problems: Problem[] = [];
  const check = (at: DataPath, owner: string) => {
    const list = valueAt(ctx.src.data, at);
    if (!Array.isArray(list)) return; // absent, or not a list: the schema says so
    list.forEach((name, i) => {
      if (typeof name !== 'string' || declared.has(name)) return;
      problems.push({
        loc: ctx.loc([...at, i]),
        message: `params[${i}] of ${owner} names '${name}', which is not a param of the flow${didYouMean(name, declared)}`,
        rule: 'step-params',
        hint: declared.size ? `declared params: ${[...declared].join(', ')}` : 'declare it under params: at the top of the flow',
      });
    });
  };
  check(['defaults', 'params'], 'defaults');
  for (const { steps } of scopes(ctx.spec)) {
    for (const step of steps) if (step.kind === 'task') check([...stepDataPath(step.path), 'params'], `step '${step.path}'`);
  }
  return problems;
}

function valueAt(data: unknown, path: DataPath): unknown {
  let v = data;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}
