/** `pull:` and `network:` on a step say how its container runs: a step without `image:` has none. */
import type { Problem } from '../../errors.js';
import { scopes } from '../walk.js';
import type { RuleContext } from './context.js';

export function containerSettings(ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  for (const { steps } of scopes(ctx.spec)) {
    for (const step of steps) {
      if (step.kind !== 'task' || step.image !== undefined) continue;
      for (const key of ['pull', 'network'] as const) {
        const loc = step.settingLocs?.[key];
        if (!loc) continue;
        problems.push({
          loc, rule: 'container-settings',
          message: `step '${step.path}' sets ${key}:, which applies only to container steps, but it has no image:`,
          hint: `add image: to run the step in a container, or remove ${key}:`,
        });
      }
    }
  }
  return problems;
}
