/**
 * Evaluates an expression AST against what a task can see. Semantics follow GitHub
 * Actions where they are predictable and are stricter where GitHub coerces: no
 * string/number mixing, no ordering of unlike types, errors instead of silent nulls.
 */
import { type Expr, type ExprContext, ExprError } from './ast.js';
import { BUILTINS } from './builtins.js';
import { formatPath, lookupPath, member } from './lookup.js';
import { deepEqual, isTruthy, typeName } from './values.js';

type BinaryExpr = Extract<Expr, { type: 'binary' }>;

/**
 * The value of `expr` (a JSON value). Errors are ExprError with offsets relative to the
 * expression source, like the AST's.
 * @example evaluate(parseExpression('params.folds > 1'), ctx) // => true
 */
export function evaluate(expr: Expr, ctx: ExprContext): unknown {
  switch (expr.type) {
    case 'literal':
      return expr.value;
    case 'array':
      return expr.items.map((item) => evaluate(item, ctx));
    case 'path':
      return lookupPath(expr, ctx);
    case 'index':
      return member(evaluate(expr.object, ctx), evaluate(expr.index, ctx), describe(expr.object), expr.start);
    case 'unary': {
      const v = evaluate(expr.arg, ctx);
      if (expr.op === '!') return !isTruthy(v);
      if (typeof v !== 'number') throw new ExprError(`unary '-' needs a number, got ${typeName(v)}`, expr.start);
      return -v;
    }
    case 'binary':
      return binary(expr, ctx);
    case 'call': {
      const fn = BUILTINS[expr.name];
      if (!fn) throw new ExprError(`unknown function '${expr.name}'`, expr.start);
      return fn.run(expr.args.map((a) => evaluate(a, ctx)), expr.args, expr);
    }
  }
}

function binary(expr: BinaryExpr, ctx: ExprContext): unknown {
  const { op } = expr;
  // Short-circuit: the right side is not evaluated (and cannot fail) once the left decides.
  if (op === '&&') return isTruthy(evaluate(expr.left, ctx)) && isTruthy(evaluate(expr.right, ctx));
  if (op === '||') return isTruthy(evaluate(expr.left, ctx)) || isTruthy(evaluate(expr.right, ctx));
  const a = evaluate(expr.left, ctx);
  const b = evaluate(expr.right, ctx);
  switch (op) {
    case '==':
      return deepEqual(a, b);
    case '!=':
      return !deepEqual(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(op, a, b, expr);
    case '+':
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      return arithmetic(op, a, b, expr, 'two numbers or two strings');
    default:
      return arithmetic(op, a, b, expr, 'two numbers');
  }
}

function compare(op: '<' | '<=' | '>' | '>=', a: unknown, b: unknown, expr: BinaryExpr): boolean {
  const bothNumbers = typeof a === 'number' && typeof b === 'number';
  const bothStrings = typeof a === 'string' && typeof b === 'string';
  if (!bothNumbers && !bothStrings) {
    throw new ExprError(`'${op}' compares two numbers or two strings, got ${typeName(a)} and ${typeName(b)}`, expr.start);
  }
  const x = a as number | string;
  const y = b as number | string;
  if (op === '<') return x < y;
  if (op === '<=') return x <= y;
  if (op === '>') return x > y;
  return x >= y;
}

function arithmetic(op: string, a: unknown, b: unknown, expr: BinaryExpr, needs: string): number {
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new ExprError(`'${op}' needs ${needs}, got ${typeName(a)} and ${typeName(b)}`, expr.start);
  }
  if ((op === '/' || op === '%') && b === 0) throw new ExprError(`division by zero in '${op}'`, expr.right.start);
  const result = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
  // JSON has no Infinity; refuse rather than render 'null' or 'Infinity' into a command.
  if (!Number.isFinite(result)) throw new ExprError(`the result of '${op}' is too large`, expr.start);
  return result;
}

/** A short name for the object of an index expression, for messages. */
function describe(expr: Expr): string {
  switch (expr.type) {
    case 'path':
      return formatPath(expr.root, expr.segments);
    case 'index': {
      const key = expr.index.type === 'literal' ? JSON.stringify(expr.index.value) : '…';
      return `${describe(expr.object)}[${key}]`;
    }
    case 'call':
      return `${expr.name}(…)`;
    default:
      return `the ${expr.type === 'array' ? 'list' : 'value'}`;
  }
}
