/** Shared helpers for the expression tests. */
import { evaluate, parseExpression, type ExprContext } from '../../../src/spec/expr/index.js';

export const ctx: ExprContext = {
  params: { alpha: 0.1, folds: 3, name: 'demo', flag: true, empty: '', nothing: null, list: [1, 2, 3], obj: { a: 1, 'b c': 2 }, i: 1 },
  steps: {
    split: { values: { folds: [0, 1, 2], meta: { best: 'x' } }, state: 'succeeded' },
    'my-step': { values: { count: 2 } },
  },
  item: { lr: 0.5, tags: ['a', 'b'] },
  items: [{ lr: 0.5, tags: ['a', 'b'] }],
  run: { id: 'r-123', flow: 'train' },
};

/** Parses and evaluates `src` against `context` (the shared ctx by default). */
export function ev(src: string, context: ExprContext = ctx): unknown {
  return evaluate(parseExpression(src), context);
}

/** Runs `fn`, expecting an ExprError at `index` whose message contains `message`. */
export function expectExprError(fn: () => unknown, index: number, message: string | RegExp): void {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeDefined();
  const e = error as { code?: string; index?: number; message: string };
  expect(e.code).toBe('EXPR_ERROR');
  expect(e.message).toMatch(message);
  expect(e.index).toBe(index);
}
