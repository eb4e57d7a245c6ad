/** The semantic rules, run after the schema on the normalized spec; all of them always run. */
import type { Problem } from '../../errors.js';
import type { Rule, RuleContext } from './context.js';
import { containerSettings } from './container-settings.js';
import { cycles } from './cycles.js';
import { expressionRefs } from './expr-refs.js';
import { unknownNeeds } from './needs.js';
import { outputCollisions } from './output-collisions.js';
import { outputPaths } from './outputs.js';
import { paramChecks } from './params.js';
import { pathLimits } from './path-limits.js';
import { stepParams } from './step-params.js';

export type { Rule, RuleContext } from './context.js';

export const RULES: readonly Rule[] = [paramChecks, unknownNeeds, cycles, expressionRefs, outputPaths, outputCollisions, stepParams, pathLimits, containerSettings];

export function runRules(ctx: RuleContext): Problem[] {
  return RULES.flatMap((rule) => rule(ctx));
}
