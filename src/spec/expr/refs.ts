/**
 * References an expression makes, for the semantic checker: it can then report unknown
 * params, steps and values at load time, before anything runs.
 */
import type { Expr, ExprRef } from './ast.js';

/**
 * Every path in `expr`, in source order; offsets are relative to the expression source.
 * A computed index (`item[params.i]`) contributes the path it indexes (`item`) and the
 * paths inside the index (`params.i`), so `steps.s.values[x]` still reports step `s`.
 * @example collectRefs(parseExpression('params.a > steps.s.values.n')) // => params.a, steps.s.values.n
 */
export function collectRefs(expr: Expr): ExprRef[] {
  const refs: ExprRef[] = [];
  const visit = (e: Expr): void => {
    switch (e.type) {
      case 'path':
        refs.push({ root: e.root, segments: [...e.segments], start: e.start, end: e.end });
        return;
      case 'index':
        visit(e.object);
        visit(e.index);
        return;
      case 'array':
        e.items.forEach(visit);
        return;
      case 'call':
        e.args.forEach(visit);
        return;
      case 'unary':
        visit(e.arg);
        return;
      case 'binary':
        visit(e.left);
        visit(e.right);
        return;
      case 'literal':
        return;
    }
  };
  visit(expr);
  return refs;
}
