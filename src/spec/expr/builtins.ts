/**
 * The built-in functions. The parser checks names and argument counts (so a typo is a
 * load-time error with a position); the evaluator calls `run` with evaluated arguments.
 * Argument types are checked here, strictly: no function coerces its input.
 */
import { type Expr, ExprError } from './ast.js';
import { deepEqual, renderValue, typeName } from './values.js';

/** `range()` refuses to build larger lists: a foreach that size is almost surely a mistake. */
export const MAX_RANGE = 100_000;

interface Builtin {
  min: number;
  max: number;
  /** Signature shown in arity errors. */
  usage: string;
  run(args: unknown[], nodes: Expr[], call: Expr): unknown;
}

function need(ok: boolean, fn: string, what: string, got: unknown, node: Expr): void {
  if (!ok) throw new ExprError(`${fn}() needs ${what}, got ${typeName(got)}`, node.start);
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export const BUILTINS: Record<string, Builtin> = {
  range: {
    min: 1,
    max: 2,
    usage: 'range(n) or range(start, end)',
    run(args, nodes, call) {
      args.forEach((a, i) => need(isInt(a), 'range', 'integers', a, nodes[i]!));
      // Like Python: range(n) is 0..n-1, range(a, b) is a..b-1, empty when b <= a.
      const [start, end] = (args.length === 1 ? [0, args[0]] : args) as [number, number];
      const count = Math.max(0, end - start);
      if (count > MAX_RANGE) throw new ExprError(`range() of ${count} items is too large (at most ${MAX_RANGE})`, call.start);
      return Array.from({ length: count }, (_, i) => start + i);
    },
  },
  len: {
    min: 1,
    max: 1,
    usage: 'len(listOrStringOrObject)',
    run([x], [n]) {
      if (typeof x === 'string') return [...x].length; // code points, so 'é' and emoji count as 1
      if (Array.isArray(x)) return x.length;
      if (typeof x === 'object' && x !== null) return Object.keys(x).length;
      return need(false, 'len', 'a string, list or object', x, n!);
    },
  },
  contains: {
    min: 2,
    max: 2,
    usage: 'contains(listOrString, value)',
    run([hay, needle], [h, n]) {
      if (Array.isArray(hay)) return hay.some((x) => deepEqual(x, needle));
      need(typeof hay === 'string', 'contains', 'a list or a string as its first argument', hay, h!);
      need(typeof needle === 'string', 'contains', 'a string to look for in a string', needle, n!);
      return (hay as string).includes(needle as string);
    },
  },
  startsWith: {
    min: 2,
    max: 2,
    usage: 'startsWith(string, prefix)',
    run([s, p], [sn, pn]) {
      need(typeof s === 'string', 'startsWith', 'a string', s, sn!);
      need(typeof p === 'string', 'startsWith', 'a string prefix', p, pn!);
      return (s as string).startsWith(p as string);
    },
  },
  endsWith: {
    min: 2,
    max: 2,
    usage: 'endsWith(string, suffix)',
    run([s, p], [sn, pn]) {
      need(typeof s === 'string', 'endsWith', 'a string', s, sn!);
      need(typeof p === 'string', 'endsWith', 'a string suffix', p, pn!);
      return (s as string).endsWith(p as string);
    },
  },
  join: {
    min: 1,
    max: 2,
    usage: "join(list, separator = ',')",
    run([list, sep = ','], [ln, sn]) {
      need(Array.isArray(list), 'join', 'a list', list, ln!);
      need(typeof sep === 'string', 'join', 'a string separator', sep, sn!);
      return (list as unknown[]).map(renderValue).join(sep as string);
    },
  },
  toJSON: {
    min: 1,
    max: 1,
    usage: 'toJSON(value)',
    run: ([x]) => JSON.stringify(x),
  },
  fromJSON: {
    min: 1,
    max: 1,
    usage: 'fromJSON(string)',
    run([s], [n]) {
      need(typeof s === 'string', 'fromJSON', 'a string', s, n!);
      try {
        return JSON.parse(s as string) as unknown;
      } catch (e) {
        throw new ExprError(`fromJSON(): invalid JSON: ${(e as Error).message}`, n!.start);
      }
    },
  },
};

export const BUILTIN_NAMES: readonly string[] = Object.keys(BUILTINS);

export function isBuiltin(name: string): boolean {
  return Object.hasOwn(BUILTINS, name);
}
