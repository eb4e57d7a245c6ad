/**
 * Turns `--param name=value` flags (and `FLOWCTL_PARAM_<NAME>` environment variables, which
 * keep a secret out of flowctl's own command line) into typed param values, checked against
 * the flow's declarations. Pure: no I/O. Every problem is reported at once with the
 * offending value (never a secret's).
 */
import { ExitCode, FlowctlError } from '../errors.js';
import type { FlowSpec, ParamSpec, ParamType } from '../spec/types.js';
import { PARAM_ENV_PREFIX, paramEnvName } from '../task/task-env.js';

export { PARAM_ENV_PREFIX } from '../task/task-env.js';

export interface ResolvedParams {
  values: Record<string, unknown>;
  /** Names of secret params. */
  secrets: string[];
}

/**
 * Precedence: `--param`, then `FLOWCTL_PARAM_<NAME>` in `env`, then `inherited` (a resumed
 * run's), then the default. Throws FlowctlError BAD_PARAM (exit 2) listing every problem.
 */
export function resolveParams(
  spec: FlowSpec,
  overrides: string[],
  inherited: Record<string, unknown> = {},
  env: Record<string, string | undefined> = {},
): ResolvedParams {
  const problems: string[] = [];
  const byName = new Map(spec.params.map((p) => [p.name, p]));
  const given = new Map<string, string>();
  for (const raw of overrides) {
    const eq = raw.indexOf('=');
    if (eq <= 0) {
      problems.push(`--param ${JSON.stringify(raw)}: expected name=value`);
      continue;
    }
    const name = raw.slice(0, eq);
    if (!byName.has(name)) {
      const known = spec.params.map((p) => p.name);
      problems.push(`--param ${name}: the flow has no param '${name}'` + (known.length ? ` (params: ${known.join(', ')})` : ' (it declares no params)'));
      continue;
    }
    given.set(name, raw.slice(eq + 1));
  }
  const values: Record<string, unknown> = {};
  for (const p of spec.params) {
    const envName = PARAM_ENV_PREFIX + paramEnvName(p.name);
    const raw = given.get(p.name) ?? env[envName];
    if (raw !== undefined) {
      const label = given.has(p.name) ? `--param ${p.name}` : envName;
      const parsed = parseParamValue(p.type, raw);
      if (!parsed.ok) {
        problems.push(`${label}=${p.secret ? '***' : raw}: ${parsed.error}`);
        continue;
      }
      const bad = checkConstraints(p, parsed.value);
      if (bad) problems.push(`${label}=${p.secret ? '***' : raw}: ${bad}`);
      else values[p.name] = parsed.value;
    } else if (p.name in inherited) {
      values[p.name] = inherited[p.name];
    } else if (p.default !== undefined) {
      values[p.name] = p.default;
    } else {
      problems.push(`param '${p.name}' is required: pass --param ${p.name}=<${p.type}> (or set ${envName})`);
    }
  }
  if (problems.length > 0) {
    throw new FlowctlError('BAD_PARAM', problems.join('\n'), { exitCode: ExitCode.Usage });
  }
  return { values, secrets: spec.params.filter((p) => p.secret).map((p) => p.name) };
}

type Parsed = { ok: true; value: unknown } | { ok: false; error: string };

export function parseParamValue(type: ParamType, raw: string): Parsed {
  switch (type) {
    case 'string':
      return { ok: true, value: raw };
    case 'integer': {
      if (!/^[-+]?\d+$/.test(raw.trim())) return { ok: false, error: 'expected an integer' };
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) return { ok: false, error: 'integer out of range' };
      return { ok: true, value: n };
    }
    case 'number': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, error: 'expected a number' };
    }
    case 'boolean': {
      const v = raw.trim().toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(v)) return { ok: true, value: true };
      if (['false', '0', 'no', 'off'].includes(v)) return { ok: true, value: false };
      return { ok: false, error: 'expected a boolean (true/false)' };
    }
    case 'list': {
      const json = tryJson(raw);
      if (Array.isArray(json)) return { ok: true, value: json };
      if (json === undefined && !raw.trim().startsWith('[')) {
        // Convenience: a,b,c — each element typed as JSON when it parses, else a string.
        return { ok: true, value: raw.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => tryJson(s) ?? s) };
      }
      return { ok: false, error: 'expected a JSON list like [1,2] or a comma-separated list' };
    }
    case 'object': {
      const json = tryJson(raw);
      if (json !== null && typeof json === 'object' && !Array.isArray(json)) return { ok: true, value: json };
      return { ok: false, error: 'expected a JSON object like {"a":1}' };
    }
  }
}

function tryJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function checkConstraints(p: ParamSpec, v: unknown): string | undefined {
  if (typeof v === 'number') {
    if (p.minimum !== undefined && v < p.minimum) return `must be >= ${p.minimum}`;
    if (p.maximum !== undefined && v > p.maximum) return `must be <= ${p.maximum}`;
  }
  if (p.enum && !p.enum.some((e) => JSON.stringify(e) === JSON.stringify(v))) {
    return `must be one of ${p.enum.map((e) => JSON.stringify(e)).join(', ')}`;
  }
  return undefined;
}
