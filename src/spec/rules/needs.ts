/** Every `needs` entry names a sibling step (in a group: a step of that group). */
import { isSeq } from 'yaml';
import type { Problem } from '../../errors.js';
import { listNames, stepDataPath } from '../describe.js';
import { findNode } from '../positions.js';
import { didYouMean } from '../suggest.js';
import { scopes } from '../walk.js';
import type { RuleContext } from './context.js';

export function unknownNeeds(ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  const everywhere = new Map<string, string>();
  for (const scope of scopes(ctx.spec)) for (const s of scope.steps) if (!everywhere.has(s.name)) everywhere.set(s.name, s.path);
  for (const { steps, ancestors } of scopes(ctx.spec)) {
    const names = steps.map((s) => s.name);
    const known = new Set(names);
    const group = ancestors[ancestors.length - 1]?.group;
    for (const step of steps) {
      const at = stepDataPath(step.path);
      const listed = isSeq(findNode(ctx.src, [...at, 'needs']).node);
      step.needs.forEach((need, i) => {
        if (known.has(need)) return;
        const elsewhere = everywhere.get(need);
        let hint = `steps ${group ? `in group '${group.path}'` : 'at this level'}: ${listNames(names)}`;
        if (elsewhere && group) hint = `'${need}' is not in group '${group.path}'; inner steps see what the group needs, so add '${need}' to the needs of '${group.path}'`;
        else if (elsewhere) hint = `'${elsewhere}' is inside a group; a step can only need its siblings, so need the group instead`;
        problems.push({
          loc: ctx.loc(listed ? [...at, 'needs', i] : [...at, 'needs']),
          message: `step '${step.path}' needs '${need}', which is not a step${group ? ` of group '${group.path}'` : ''}${didYouMean(need, names)}`,
          rule: 'unknown-need',
          hint,
        });
      });
    }
  }
  return problems;
}
