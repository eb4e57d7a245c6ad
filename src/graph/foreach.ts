/**
 * Pure expansion of `foreach` and `matrix` into the list of items a step fans out over.
 */
import { evaluate } from '../spec/expr/index.js';
import type { ExprContext } from '../spec/expr/ast.js';
import type { ForeachSpec, ValueSpec } from '../spec/types.js';

export function evaluateValue(v: ValueSpec, ctx: ExprContext): unknown {
  return v.kind === 'literal' ? v.value : evaluate(v.expr, ctx);
}

/** The items of a fan-out; throws an Error with a user-facing message when they are not a list. */
export function expandForeach(spec: ForeachSpec, ctx: ExprContext): unknown[] {
  if (spec.kind === 'list') {
    const items = evaluateValue(spec.items, ctx);
    if (!Array.isArray(items)) {
      throw new Error(`foreach must give a list, got ${describe(items)}`);
    }
    return items;
  }
  const axes = spec.axes.map((a) => {
    const values = evaluateValue(a.values, ctx);
    if (!Array.isArray(values)) throw new Error(`matrix axis '${a.name}' must give a list, got ${describe(values)}`);
    return { name: a.name, values };
  });
  return cartesian(axes);
}

/** First axis varies slowest, like nested loops written in file order. */
export function cartesian(axes: Array<{ name: string; values: unknown[] }>): Array<Record<string, unknown>> {
  let rows: Array<Record<string, unknown>> = [{}];
  for (const axis of axes) {
    const next: Array<Record<string, unknown>> = [];
    for (const row of rows) for (const v of axis.values) next.push({ ...row, [axis.name]: v });
    rows = next;
  }
  return axes.length === 0 ? [] : rows;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${JSON.stringify(v)?.slice(0, 40)}`;
}

/** Task ids of DESIGN.md §4: `0` for a single task, else the dotted path of fan-out indices. */
export function taskIdFor(indices: number[]): string {
  return indices.length === 0 ? '0' : indices.join('.');
}
