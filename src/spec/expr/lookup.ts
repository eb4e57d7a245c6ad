/**
 * Path lookup (`params.x`, `steps.s.values.v`, `item.lr`, `run.id`). Strict by design: a
 * missing param, step, value or key is an error that names what exists, never a silent
 * null, because a typo in a flow file should fail the check, not run with a blank.
 */
import { type Expr, type ExprContext, ExprError } from './ast.js';
import { didYouMean } from './suggest.js';
import { isPlainObject, typeName } from './values.js';

type PathExpr = Extract<Expr, { type: 'path' }>;
type Key = string | number;

/** `item.lr`, `steps['my step']`, `items[0]` — how a path is shown in messages. */
export function formatPath(root: string, segments: readonly Key[]): string {
  return segments.reduce<string>((s, k) => {
    if (typeof k === 'number') return `${s}[${k}]`;
    return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `${s}.${k}` : `${s}[${JSON.stringify(k)}]`;
  }, root);
}

/** Lists a few names for a message: `a, b, c` or `(none)`. */
function listNames(names: string[]): string {
  if (names.length === 0) return '(none)';
  return names.length <= 10 ? names.join(', ') : `${names.slice(0, 10).join(', ')}, …`;
}

/** Member names may contain '-', so `params.n-1` reads a param named 'n-1'; say how to subtract. */
function minusHint(key: unknown): string {
  return typeof key === 'string' && key.includes('-') ? " (to subtract, put spaces around '-': a - 1)" : '';
}

/** Reads `key` of `value`, the thing shown as `label`; `at` is the error offset. */
export function member(value: unknown, key: unknown, label: string, at: number): unknown {
  if (Array.isArray(value)) {
    if (typeof key !== 'number') {
      const hint = key === 'length' ? ` (use len(${label}) for its length)` : '';
      throw new ExprError(`${label} is a list: index it with a number, not ${typeName(key)} ${JSON.stringify(key)}${hint}`, at);
    }
    if (!Number.isInteger(key) || key < 0 || key >= value.length) {
      throw new ExprError(`index ${key} is out of range: ${label} has ${value.length} item${value.length === 1 ? '' : 's'}`, at);
    }
    return value[key];
  }
  if (isPlainObject(value)) {
    if (typeof key !== 'string') throw new ExprError(`${label} is an object: index it with a string key, not ${typeName(key)}`, at);
    if (!Object.hasOwn(value, key)) {
      const keys = Object.keys(value);
      throw new ExprError(`${label} has no key '${key}'${didYouMean(key, keys)}; its keys are: ${listNames(keys)}${minusHint(key)}`, at);
    }
    return value[key];
  }
  throw new ExprError(`cannot read ${JSON.stringify(key)} of ${label}: it is ${typeName(value)}, not a list or object`, at);
}

/** Resolves the root (and the specially checked first segments); returns how many segments it used. */
function resolveRoot(node: PathExpr, ctx: ExprContext): { value: unknown; used: number } {
  const [first, second, third] = node.segments;
  const at = node.start;
  switch (node.root) {
    case 'params': {
      if (first === undefined) return { value: ctx.params, used: 0 };
      const names = Object.keys(ctx.params);
      if (typeof first !== 'string' || !Object.hasOwn(ctx.params, first)) {
        const known = `the flow's params are: ${listNames(names)}`;
        throw new ExprError(`unknown param '${first}'${didYouMean(String(first), names)}; ${known}${minusHint(first)}`, at);
      }
      return { value: ctx.params[first], used: 1 };
    }
    case 'steps': {
      if (first === undefined) return { value: ctx.steps, used: 0 };
      const names = Object.keys(ctx.steps);
      const step = typeof first === 'string' && Object.hasOwn(ctx.steps, first) ? ctx.steps[first] : undefined;
      if (!step) {
        throw new ExprError(
          `step '${first}' is not available here${didYouMean(String(first), names)}: only steps listed in needs (and their upstream) can be referenced; available: ${listNames(names)}`,
          at,
        );
      }
      if (second !== 'values' || third === undefined) return { value: step, used: 1 };
      if (typeof third === 'string' && !Object.hasOwn(step.values, third) && step.unsetValue) {
        return { value: [...step.unsetValue], used: 3 };
      }
      if (typeof third !== 'string' || !Object.hasOwn(step.values, third)) {
        const names = Object.keys(step.values);
        throw new ExprError(
          `step '${first}' has no value '${third}'${didYouMean(String(third), names)}; it set: ${listNames(names)} (a step sets values by writing name=value lines to $FLOW_VALUES)`,
          at,
        );
      }
      return { value: step.values[third], used: 3 };
    }
    case 'item':
      if (ctx.item === undefined) throw new ExprError("'item' is only defined in a step with foreach (or inside a foreach group)", at);
      return { value: ctx.item, used: 0 };
    case 'items':
      if (ctx.items === undefined) throw new ExprError("'items' is only defined in a step with foreach (or inside a foreach group)", at);
      return { value: ctx.items, used: 0 };
    case 'run':
      return { value: ctx.run, used: 0 };
    default:
      throw new ExprError(`unknown name '${node.root}'`, at);
  }
}

/** The value a path names in `ctx`. */
export function lookupPath(node: PathExpr, ctx: ExprContext): unknown {
  const { value: rootValue, used } = resolveRoot(node, ctx);
  let value = rootValue;
  for (let i = used; i < node.segments.length; i++) {
    value = member(value, node.segments[i], formatPath(node.root, node.segments.slice(0, i)), node.start);
  }
  return value;
}
