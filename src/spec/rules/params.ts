/** Param defaults, bounds and enums agree with the declared type. */
import type { Problem } from '../../errors.js';
import type { ParamSpec, ParamType } from '../types.js';
import type { RuleContext } from './context.js';

const TYPE_WORDS: Record<ParamType, string> = {
  string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false', list: 'a list', object: 'a mapping',
};

/** Whether `v` is a value of param type `t`. */
export function matchesType(t: ParamType, v: unknown): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'boolean': return typeof v === 'boolean';
    case 'list': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

function shown(v: unknown): string {
  if (v === null) return 'empty (null)';
  if (typeof v === 'string') return `the string '${v}'`;
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function checkParam(ctx: RuleContext, p: ParamSpec): Problem[] {
  const out: Problem[] = [];
  const at = (key: string | number, ...rest: Array<string | number>) => ctx.loc(['params', p.name, key, ...rest]);
  const numeric = p.type === 'number' || p.type === 'integer';
  if (p.default !== undefined) {
    const d = p.default;
    if (!matchesType(p.type, d)) {
      const quoteHint = p.type === 'string' && d !== null ? `quote it: default: "${String(d)}"` : undefined;
      out.push({ loc: at('default'), message: `default of param '${p.name}' must be ${TYPE_WORDS[p.type]} (type: ${p.type}), not ${shown(d)}`, rule: 'param-default', ...(quoteHint ? { hint: quoteHint } : {}) });
    } else {
      if (numeric && p.minimum !== undefined && (d as number) < p.minimum) out.push({ loc: at('default'), message: `default of param '${p.name}' (${String(d)}) is below its minimum ${p.minimum}`, rule: 'param-default' });
      if (numeric && p.maximum !== undefined && (d as number) > p.maximum) out.push({ loc: at('default'), message: `default of param '${p.name}' (${String(d)}) is above its maximum ${p.maximum}`, rule: 'param-default' });
      if (p.enum && !p.enum.some((e) => JSON.stringify(e) === JSON.stringify(d))) out.push({ loc: at('default'), message: `default of param '${p.name}' (${JSON.stringify(d)}) is not one of its enum values`, rule: 'param-default' });
    }
  }
  for (const key of ['minimum', 'maximum'] as const) {
    if (p[key] !== undefined && !numeric) out.push({ loc: ctx.loc(['params', p.name, key], true), message: `${key} of param '${p.name}' applies only to number and integer params, not ${p.type}`, rule: 'param' });
  }
  if (numeric && p.minimum !== undefined && p.maximum !== undefined && p.minimum > p.maximum) {
    out.push({ loc: at('maximum'), message: `param '${p.name}' has maximum ${p.maximum} below its minimum ${p.minimum}`, rule: 'param' });
  }
  p.enum?.forEach((e, i) => {
    if (!matchesType(p.type, e)) out.push({ loc: at('enum', i), message: `enum[${i}] of param '${p.name}' must be ${TYPE_WORDS[p.type]} (type: ${p.type}), not ${shown(e)}`, rule: 'param' });
  });
  return out;
}

export function paramChecks(ctx: RuleContext): Problem[] {
  const raw = (ctx.src.data as { params?: Record<string, { type?: unknown } | null> }).params ?? {};
  // A param with a missing or unknown type is a schema error; comparing its default to a guess would only add noise.
  const typed = ctx.spec.params.filter((p) => raw[p.name]?.type === p.type);
  return typed.flatMap((p) => checkParam(ctx, p));
}
