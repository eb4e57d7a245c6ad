/**
 * Raw flow data → typed FlowSpec: params, defaults merged into every task step, durations
 * in ms, retry/resources normalized, expressions parsed. Pure (works on the parsed source)
 * and tolerant: it runs even when the schema found problems, so that semantic rules can
 * report theirs in the same pass; it only reports what the schema cannot see.
 */
import { dirname, resolve } from 'node:path';
import type { Problem } from '../errors.js';
import type { FlowSpec, ParamSpec, ParamType } from './types.js';
import { isRecord, normalizeContext, type Raw } from './normalize-context.js';
import { normalizeSteps } from './normalize-step.js';
import type { FlowSource } from './source.js';

const PARAM_TYPES: readonly ParamType[] = ['string', 'number', 'integer', 'boolean', 'list', 'object'];

export interface NormalizeResult {
  spec: FlowSpec;
  problems: Problem[];
}

export function normalize(src: FlowSource): NormalizeResult {
  const ctx = normalizeContext(src);
  const data = isRecord(src.data) ? src.data : {};
  const params = Object.entries(isRecord(data.params) ? data.params : {}).map(([name, raw]) => param(name, raw, ctx.loc(['params', name], true)));
  const defaults = isRecord(data.defaults) ? data.defaults : {};
  const steps = normalizeSteps(ctx, isRecord(data.steps) ? data.steps : {}, [], defaults);
  const spec: FlowSpec = {
    version: 1,
    name: typeof data.name === 'string' ? data.name : '',
    ...(typeof data.description === 'string' ? { description: data.description } : {}),
    file: src.absPath,
    root: resolve(dirname(src.absPath), typeof data.root === 'string' ? data.root : '.'),
    params,
    steps,
    specHash: src.specHash,
  };
  return { spec, problems: ctx.problems };
}

function param(name: string, raw: unknown, loc: ParamSpec['loc']): ParamSpec {
  const r: Raw = isRecord(raw) ? raw : {};
  const type = PARAM_TYPES.includes(r.type as ParamType) ? (r.type as ParamType) : 'string';
  return {
    name,
    type,
    ...('default' in r && r.default !== undefined ? { default: r.default } : {}),
    required: !('default' in r) || r.default === undefined,
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    secret: r.secret === true,
    ...(typeof r.minimum === 'number' ? { minimum: r.minimum } : {}),
    ...(typeof r.maximum === 'number' ? { maximum: r.maximum } : {}),
    ...(Array.isArray(r.enum) ? { enum: r.enum } : {}),
    loc,
  };
}
