/**
 * What expressions refer to must exist and be visible: declared params, steps this step
 * (or an enclosing group) needs, `item` only where there is a foreach, `run.id`/`run.flow`.
 */
import type { Problem } from '../../errors.js';
import { reachability } from '../dag.js';
import { collectRefs, type ExprRef } from '../expr/index.js';
import { listNames } from '../describe.js';
import { didYouMean } from '../suggest.js';
import type { StepSpec } from '../types.js';
import { scopes, type Scope } from '../walk.js';
import type { RuleContext } from './context.js';
import { type LocatedExpr, stepExpressions } from './step-expressions.js';

interface Check {
  step: StepSpec;
  scope: Scope;
  params: string[];
  where: LocatedExpr['where'];
  /** Reachability per scope, built once per validation. */
  reach(siblings: StepSpec[]): ReturnType<typeof reachability>;
}

type Finding = { message: string; hint?: string; rule: string } | undefined;

function refText(ref: ExprRef): string {
  return [ref.root, ...ref.segments.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`))].join('').replace(/\.\[/g, '[');
}

function checkParams(ref: ExprRef, c: Check): Finding {
  const name = ref.segments[0];
  if (typeof name !== 'string') return { message: 'params must be followed by a param name (params.NAME)', rule: 'expr-ref' };
  if (c.params.includes(name)) return undefined;
  return {
    message: `unknown param '${name}' in expression${didYouMean(name, c.params)}`,
    hint: c.params.length ? `declared params: ${listNames(c.params)}` : 'declare it under params: at the top of the flow',
    rule: 'unknown-param',
  };
}

function checkSteps(ref: ExprRef, c: Check): Finding {
  const [name, kind, value] = ref.segments;
  if (typeof name !== 'string') return { message: 'steps must be followed by a step name (steps.NAME.values.VALUE)', rule: 'expr-ref' };
  const levels = [{ siblings: c.scope.steps, self: c.step }, ...c.scope.ancestors.map((a) => ({ siblings: a.siblings, self: a.group as StepSpec }))];
  if (!levels.some((l) => c.reach(l.siblings).needs(l.self.name, name))) {
    const visible = new Set(levels.flatMap((l) => [...c.reach(l.siblings).from(l.self.name)]));
    if (name === c.step.name) return { message: `step '${c.step.path}' cannot refer to its own values (steps.${name})`, rule: 'unknown-step', hint: 'values become visible to the steps that need this one' };
    const known = levels.flatMap((l) => l.siblings.map((s) => s.name));
    if (!known.includes(name)) {
      return { message: `unknown step '${name}' in expression${didYouMean(name, known)}`, rule: 'unknown-step', hint: `an expression can refer to steps this step needs${visible.size ? `: ${listNames(visible)}` : ''}` };
    }
    // Needs name siblings: the step to change is the one (this step or an enclosing group) beside `name`.
    const owner = levels.find((l) => l.siblings.some((s) => s.name === name))!.self;
    return {
      message: `step '${c.step.path}' refers to steps.${name} but does not need '${name}'`,
      rule: 'unknown-step',
      hint: `add '${name}' to the needs of ${owner === c.step ? `'${owner.path}'` : `group '${owner.path}'`}; values exist only once the step has finished`,
    };
  }
  if (kind === 'values' && typeof value === 'string') {
    const target = levels.map((l) => l.siblings.find((s) => s.name === name)).find((s) => s !== undefined);
    if (target?.kind !== 'group') return undefined;
    return {
      message: `step '${name}' is a group and has no values (steps.${name}.values.${value}); only steps with run: set values`,
      rule: 'expr-ref',
      hint: 'read the values of its inner steps inside the group, or have them write an output file that the steps after the group read',
    };
  }
  if (kind === 'state' && ref.segments.length === 2) return undefined;
  const hint = typeof kind === 'string' && kind !== 'values' ? `did you mean steps.${name}.values.${kind}?` : 'a step exposes .values.NAME (what it wrote to $FLOW_VALUES) and .state';
  return { message: `steps.${name} must be followed by .values.NAME or .state, not '${refText(ref)}'`, rule: 'expr-ref', hint };
}

function checkItem(ref: ExprRef, c: Check): Finding {
  const inGroup = c.scope.ancestors.some((a) => a.group.foreach !== undefined);
  const own = c.step.foreach !== undefined && c.where !== 'foreach';
  if (!inGroup && !own) {
    return {
      message: c.step.foreach && c.where === 'foreach'
        ? `'${ref.root}' cannot be used in the foreach/matrix of step '${c.step.path}' itself: the items are not known yet`
        : `'${ref.root}' is only defined in a step with foreach: or matrix: (or inside a fanned-out group), and step '${c.step.path}' has neither`,
      rule: 'item-outside-foreach',
      hint: 'add foreach: to the step, or use params/steps values instead',
    };
  }
  const axes = own && c.step.foreach?.kind === 'matrix' ? c.step.foreach.axes.map((a) => a.name) : undefined;
  const axis = ref.segments[0];
  if (ref.root === 'item' && axes && typeof axis === 'string' && !axes.includes(axis)) {
    return { message: `matrix of step '${c.step.path}' has no axis '${axis}'${didYouMean(axis, axes)}`, rule: 'expr-ref', hint: `axes: ${axes.join(', ')}` };
  }
  return undefined;
}

function checkRun(ref: ExprRef): Finding {
  const [field] = ref.segments;
  if (ref.segments.length === 1 && (field === 'id' || field === 'flow')) return undefined;
  return { message: `'${refText(ref)}' is not available; use run.id or run.flow`, rule: 'expr-ref' };
}

function check(ref: ExprRef, c: Check): Finding {
  switch (ref.root) {
    case 'params': return checkParams(ref, c);
    case 'steps': return checkSteps(ref, c);
    case 'item':
    case 'items': return checkItem(ref, c);
    case 'run': return checkRun(ref);
    default: return { message: `unknown name '${ref.root}' in expression`, rule: 'expr-ref' };
  }
}

export function expressionRefs(ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  const params = ctx.spec.params.map((p) => p.name);
  const cache = new Map<StepSpec[], ReturnType<typeof reachability>>();
  const reach = (siblings: StepSpec[]) => {
    if (!cache.has(siblings)) cache.set(siblings, reachability(siblings));
    return cache.get(siblings)!;
  };
  for (const scope of scopes(ctx.spec)) {
    for (const step of scope.steps) {
      for (const e of stepExpressions(ctx, step)) {
        for (const ref of collectRefs(e.expr)) {
          const f = check(ref, { step, scope, params, where: e.where, reach });
          if (f) problems.push({ loc: ctx.locIn(e.path, e.offset + ref.start), ...f });
        }
      }
    }
  }
  return problems;
}
