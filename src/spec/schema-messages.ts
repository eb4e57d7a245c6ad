/**
 * Turns ajv's raw errors into one clear message per place. ajv with allErrors reports
 * every failing branch of a oneOf/anyOf; we keep the branch whose type matches the
 * value (a string duration that fails its pattern → the pattern error) or, when none
 * does, the oneOf itself with the schema's `errorMessage`.
 */
import type { ErrorObject } from 'ajv';
import type { Problem } from '../errors.js';
import { parseDuration } from './duration.js';
import { NAME_LENGTH_HINT } from './limits.js';
import { describeKeyKind, describePath, splitStepPath } from './describe.js';
import { type DataPath, findNode, locAt, pointerToPath } from './positions.js';
import { schemaDef } from './schema.js';
import type { FlowSource } from './source.js';
import { didYouMean } from './suggest.js';

type Schema = Record<string, unknown>;

function resolve(s: Schema): Schema {
  const ref = s.$ref as string | undefined;
  return ref?.startsWith('#/$defs/') ? { ...schemaDef(ref.slice(8)), ...s } : s;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v === 'object' ? 'object' : typeof v;
}

function typeMatches(branch: Schema, data: unknown): boolean | undefined {
  const s = resolve(branch);
  if (s.type === undefined) return undefined;
  const types = ([] as string[]).concat(s.type as string | string[]);
  const t = jsonType(data);
  return types.some((x) => x === t || (x === 'integer' && Number.isInteger(data)) || (x === 'number' && t === 'number'));
}

/** Drops cascades: `if` wrappers, `propertyNames` wrappers, and the failing branches of oneOf/anyOf. */
export function collapseErrors(errors: ErrorObject[]): ErrorObject[] {
  const drop = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword === 'if' || e.keyword === 'propertyNames') drop.add(e);
    if (e.keyword !== 'oneOf' && e.keyword !== 'anyOf') continue;
    const branches = e.schema as Schema[];
    const matching = branches.map((b, i) => (typeMatches(b, e.data) ? i : -1)).filter((i) => i >= 0);
    const chosen = matching.length === 1 ? matching[0] : undefined;
    const branchOf = (x: ErrorObject): number | undefined => {
      for (let i = 0; i < branches.length; i++) {
        const ref = branches[i]!.$ref as string | undefined;
        if (x.schemaPath.startsWith(`${e.schemaPath}/${i}/`) || (ref && x.schemaPath.startsWith(`${ref}/`))) return i;
      }
      return undefined;
    };
    const members = errors.filter((x) => x !== e && x.instancePath === e.instancePath && (branchOf(x) !== undefined || x.keyword === 'type'));
    if (chosen === undefined) {
      members.forEach((x) => drop.add(x));
      continue;
    }
    const kept = errors.filter((x) => x !== e && !drop.has(x) && (x.instancePath.startsWith(`${e.instancePath}/`) ||
      (x.instancePath === e.instancePath && x.keyword !== 'type' && (branchOf(x) === undefined || branchOf(x) === chosen))));
    members.filter((x) => x.keyword === 'type' || branchOf(x) !== chosen).forEach((x) => drop.add(x));
    if (kept.length > 0) drop.add(e);
  }
  return errors.filter((e) => !drop.has(e));
}

const TYPE_WORDS: Record<string, string> = {
  object: 'a mapping', array: 'a list', string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false', null: 'empty',
};

function shown(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'object') return TYPE_WORDS[jsonType(v)]!;
  return String(v);
}

function predicate(e: ErrorObject): string {
  const parent = (e.parentSchema ?? {}) as Schema;
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'pattern' && typeof parent.patternErrorMessage === 'string') return parent.patternErrorMessage;
  if (typeof parent.errorMessage === 'string') return parent.errorMessage;
  switch (e.keyword) {
    case 'type': {
      const want = ([] as string[]).concat(p.type as string).map((t) => TYPE_WORDS[t] ?? t).join(' or ');
      return `must be ${want}, not ${e.data === null ? 'empty' : TYPE_WORDS[jsonType(e.data)]}`;
    }
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map(String);
      return `must be one of ${allowed.join(', ')}, not ${shown(e.data)}${typeof e.data === 'string' ? didYouMean(e.data, allowed) : ''}`;
    }
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `must be ${p.comparison} ${p.limit}, not ${shown(e.data)}`;
    case 'minLength':
      return 'must not be empty';
    case 'maxLength':
      return `must be at most ${p.limit} characters long, not ${typeof e.data === 'string' ? e.data.length : '?'}`;
    case 'minItems':
      return `must have at least ${p.limit} item${p.limit === 1 ? '' : 's'}`;
    case 'minProperties':
      return 'must not be empty';
    default:
      return e.message ?? 'is invalid';
  }
}

/** Key of the mapping at `path` that appears last in the file, among `keys`. */
function laterKey(src: FlowSource, path: DataPath, keys: string[]): string {
  const offset = (k: string) => findNode(src, [...path, k]).key?.range?.[0] ?? -1;
  return keys.reduce((a, b) => (offset(b) > offset(a) ? b : a));
}

const DEFAULTABLE = new Set(['retry', 'timeout', 'env', 'resources', 'image', 'executor', 'catch', 'cache', 'shell']);

const DUPLICATE_RULES: Record<string, string> = { needs: 'needs', outputs: 'outputs' };

/** One ajv error (after collapseErrors) as a Problem located at its YAML node. */
export function toProblem(e: ErrorObject, src: FlowSource): Problem {
  const path = pointerToPath(e.instancePath);
  const p = e.params as Record<string, unknown>;
  const parent = (e.parentSchema ?? {}) as Schema;
  const what = describePath(path);
  const loc = (at: DataPath, key = false) => locAt(src, at, { key });

  if (e.propertyName !== undefined) {
    return {
      loc: loc([...path, e.propertyName], true), message: `${describeKeyKind(path)} ${shown(e.propertyName)} ${predicate(e)}`, rule: 'name',
      ...(e.keyword === 'maxLength' ? { hint: NAME_LENGTH_HINT } : {}),
    };
  }
  if (e.keyword === 'maxLength' && path.length === 1 && path[0] === 'name') {
    return { loc: loc(path), message: `flow name ${shown(e.data)} ${predicate(e)}`, rule: 'name', hint: NAME_LENGTH_HINT };
  }
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(p.additionalProperty);
      const allowed = Object.keys((parent.properties ?? {}) as Schema);
      const inWhat = path.length === 0 ? 'the flow' : what;
      return {
        loc: loc([...path, name], true),
        message: `unknown key '${name}' in ${inWhat}${didYouMean(name, allowed)}`,
        rule: 'unknown-key',
        hint: `allowed keys: ${allowed.join(', ')}`,
      };
    }
    case 'required':
      return { loc: loc(path, true), message: `${what} is missing the required key '${String(p.missingProperty)}'`, rule: 'schema' };
    case 'anyOf':
      if (splitStepPath(path).rest.length === 0 && path.length > 0) {
        return { loc: loc(path, true), message: `${what} ${predicate(e)}`, rule: 'step-kind', hint: 'add run: <command> to run a command, or steps: with inner steps to make a group' };
      }
      break;
    case 'not': {
      const both = ((parent.not ?? {}) as Schema).required as string[] | undefined;
      if (both) {
        const rule = both.includes('matrix') ? 'foreach-matrix' : 'step-kind';
        return { loc: loc([...path, laterKey(src, path, both)], true), message: `${what} ${predicate(e)}`, rule };
      }
      if (isTaskOnly(e)) break;
      return { loc: loc(path, true), message: `${what} ${predicate(e)}`, rule: 'group-keys' };
    }
    case 'uniqueItems': {
      const later = Math.max(Number(p.i), Number(p.j));
      const item = (e.data as unknown[])[later];
      const field = String(path[path.length - 1]);
      return { loc: loc([...path, later]), message: `${what} lists ${shown(item)} twice`, rule: DUPLICATE_RULES[field] ?? 'schema' };
    }
    case 'pattern':
      if (e.schema === (schemaDef('duration')?.oneOf as Schema[] | undefined)?.[0]?.pattern) return durationProblem(e, path, src);
      break;
  }
  if (e.keyword === 'not' && isTaskOnly(e)) {
    const key = String(path[path.length - 1]);
    const step = splitStepPath(path).step;
    return {
      loc: loc(path, true),
      message: `'${key}' is not allowed on group step '${step}' (only task steps, with run:, take it)`,
      rule: 'group-keys',
      hint: `set ${key}: on the group's inner steps${DEFAULTABLE.has(key) ? ', or in defaults: for every task step' : ''}`,
    };
  }
  return { loc: loc(path), message: `${what} ${predicate(e)}`, rule: 'schema' };
}

function durationProblem(e: ErrorObject, path: DataPath, src: FlowSource): Problem {
  let message = `${describePath(path)} ${predicate(e)}`;
  try {
    parseDuration(String(e.data));
  } catch (err) {
    message = `${describePath(path)}: ${(err as Error).message}`;
  }
  return { loc: locAt(src, path), message, rule: 'duration', hint: 'durations are <integer><unit> parts with units ms, s, m, h, d (90s, 15m, 1h30m), or a number of seconds' };
}

/**
 * The error comes from `$defs/taskOnly` (a task-only key on a group). Told by where it is in
 * the schema, not by object identity: the build's standalone validator carries its own copy
 * of the schema objects.
 */
function isTaskOnly(e: ErrorObject): boolean {
  return e.schemaPath.startsWith('#/$defs/taskOnly/');
}
