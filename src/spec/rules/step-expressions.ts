/** Every parsed expression of a step, with where it sits in the file (for located messages). */
import { isScalar } from 'yaml';
import { type Expr, isWholeExpression } from '../expr/index.js';
import { stepDataPath } from '../describe.js';
import { type DataPath, findNode } from '../positions.js';
import type { StepSpec, TemplateSpec, ValueSpec } from '../types.js';
import type { RuleContext } from './context.js';

export interface LocatedExpr {
  expr: Expr;
  /** Data path of the string holding the expression. */
  path: DataPath;
  /** Offset of the expression source within that string. */
  offset: number;
  /** `foreach` covers matrix axes too: those are evaluated before the step fans out. */
  where: 'run' | 'env' | 'foreach' | 'if';
}

function fromTemplate(t: TemplateSpec, path: DataPath, where: LocatedExpr['where']): LocatedExpr[] {
  return t.template.parts.flatMap((p) => (typeof p === 'string' ? [] : [{ expr: p.expr, path, offset: p.offset, where }]));
}

function fromWhole(ctx: RuleContext, expr: Expr, path: DataPath, where: LocatedExpr['where']): LocatedExpr {
  const node = findNode(ctx.src, path).node;
  let offset = 0;
  try {
    offset = (isScalar(node) && typeof node.value === 'string' && isWholeExpression(node.value)?.offset) || 0;
  } catch {
    // Already reported as a syntax error by the normalizer.
  }
  return { expr, path, offset, where };
}

function fromValue(ctx: RuleContext, v: ValueSpec, path: DataPath): LocatedExpr[] {
  return v.kind === 'expr' ? [fromWhole(ctx, v.expr, path, 'foreach')] : [];
}

export function stepExpressions(ctx: RuleContext, step: StepSpec): LocatedExpr[] {
  const at = stepDataPath(step.path);
  const out: LocatedExpr[] = [];
  if (step.foreach?.kind === 'list') out.push(...fromValue(ctx, step.foreach.items, [...at, 'foreach']));
  if (step.foreach?.kind === 'matrix') for (const a of step.foreach.axes) out.push(...fromValue(ctx, a.values, [...at, 'matrix', a.name]));
  if (step.if) out.push(fromWhole(ctx, step.if.expr, [...at, 'if'], 'if'));
  if (step.kind === 'task') {
    out.push(...fromTemplate(step.run, [...at, 'run'], 'run'));
    for (const [name, t] of Object.entries(step.env)) {
      // An env value either comes from the step or from defaults.env.
      const own = findNode(ctx.src, [...at, 'env', name]).node !== undefined;
      out.push(...fromTemplate(t, own ? [...at, 'env', name] : ['defaults', 'env', name], 'env'));
    }
  }
  return out;
}
