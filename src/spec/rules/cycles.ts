/** Needs form no cycle in any scope; the message names the cycle. */
import type { Problem } from '../../errors.js';
import { findCycle } from '../dag.js';
import { scopes } from '../walk.js';
import type { RuleContext } from './context.js';

export function cycles(ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  for (const { steps, ancestors } of scopes(ctx.spec)) {
    const cycle = findCycle(steps);
    if (!cycle) continue;
    const first = steps.find((s) => s.name === cycle[0])!;
    const group = ancestors[ancestors.length - 1]?.group;
    problems.push({
      loc: first.loc,
      message: `cycle in needs${group ? ` of group '${group.path}'` : ''}: ${[...cycle, cycle[0]].join(' -> ')}`,
      rule: 'cycle',
      hint: cycle.length === 1 ? `remove '${cycle[0]}' from its own needs` : 'each step needs the next one; remove one of these needs',
    });
  }
  return problems;
}
