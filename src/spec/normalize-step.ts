/** Normalizes the steps of one scope (top level or a group), recursively. */
import { isScalar } from 'yaml';
import type { ForeachSpec, StepSpec, TaskStepSpec, TemplateSpec, ValueSpec } from './types.js';
import { stepDataPath } from './describe.js';
import { templateAt, wholeExpressionAt } from './expressions.js';
import { isRecord, type NormalizeContext, type Raw } from './normalize-context.js';
import { batchAt, durationAt, normalizeOutput, resourcesAt, retryAt, NO_RETRY } from './normalize-values.js';
import { type DataPath, findNode } from './positions.js';

export function normalizeSteps(ctx: NormalizeContext, raw: Raw, parents: string[], defaults: Raw): StepSpec[] {
  return Object.entries(raw).map(([name, value]) => normalizeStep(ctx, name, isRecord(value) ? value : {}, parents, defaults));
}

function normalizeStep(ctx: NormalizeContext, name: string, r: Raw, parents: string[], defaults: Raw): StepSpec {
  const names = [...parents, name];
  const qualified = names.join('.');
  const at = stepDataPath(qualified);
  const needs = typeof r.needs === 'string' ? [r.needs] : Array.isArray(r.needs) ? r.needs.filter((n): n is string => typeof n === 'string') : [];
  const foreach = foreachOf(ctx, r, at);
  const cond = typeof r.if === 'string' ? wholeExpressionAt(ctx, r.if, [...at, 'if']) : undefined;
  const common = {
    name,
    path: qualified,
    ...(typeof r.description === 'string' ? { description: r.description } : {}),
    needs,
    ...(foreach ? { foreach } : {}),
    ...(cond ? { if: { ...cond, loc: ctx.loc([...at, 'if']) } } : {}),
    loc: ctx.loc(at, true),
  };
  if (isRecord(r.steps)) return { ...common, kind: 'group', steps: normalizeSteps(ctx, r.steps, names, defaults) };
  return { ...common, kind: 'task', ...taskSettings(ctx, r, at, defaults) };
}

type TaskSettings = Omit<TaskStepSpec, 'kind' | 'name' | 'path' | 'description' | 'needs' | 'foreach' | 'if' | 'loc'>;

function taskSettings(ctx: NormalizeContext, r: Raw, at: DataPath, defaults: Raw): TaskSettings {
  // A step's own value wins over defaults:; the path says where the value was written.
  const pick = (key: string): { value: unknown; path: DataPath } =>
    key in r ? { value: r[key], path: [...at, key] } : { value: defaults[key], path: ['defaults', key] };
  const timeout = pick('timeout');
  const timeoutMs = durationAt(ctx, timeout.value, timeout.path);
  if (timeoutMs === 0) ctx.problems.push({ loc: ctx.loc(timeout.path), message: 'timeout must be greater than 0', rule: 'duration', hint: 'remove timeout: for no limit' });
  const retry = pick('retry');
  const imageAt = pick('image');
  const image = imageAt.value;
  const executorAt = pick('executor');
  const pullAt = pick('pull');
  const networkAt = pick('network');
  const batch = batchAt(defaults.batch, r.batch);
  return {
    run: typeof r.run === 'string' ? templateAt(ctx, r.run, [...at, 'run']) : templateAt(ctx, '', [...at, 'run']),
    shell: pick('shell').value === 'bash' ? 'bash' : 'sh',
    // Same length as written, so rules can point at outputs[i]; '' stands for a non-string (a schema error).
    outputs: Array.isArray(r.outputs) ? r.outputs.map((o) => (typeof o === 'string' && o !== '' ? normalizeOutput(o) : '')) : [],
    env: envOf(ctx, r, at, defaults),
    ...(typeof image === 'string' && image !== '' ? { image } : {}),
    pull: pullAt.value === 'always' || pullAt.value === 'never' ? pullAt.value : 'missing',
    ...(typeof networkAt.value === 'string' && networkAt.value !== '' ? { network: networkAt.value } : {}),
    executor: executorAt.value === 'batch' ? 'batch' : 'local',
    ...(batch ? { batch } : {}),
    settingLocs: {
      ...(image !== undefined ? { image: ctx.loc(imageAt.path) } : {}),
      ...(executorAt.value !== undefined ? { executor: ctx.loc(executorAt.path) } : {}),
      // Only where the step itself says so: defaults: may set them for steps without an image.
      ...('pull' in r ? { pull: ctx.loc(pullAt.path) } : {}),
      ...('network' in r ? { network: ctx.loc(networkAt.path) } : {}),
      ...(batch ? { batch: ctx.loc(pick('batch').path) } : {}),
    },
    resources: resourcesAt({ ...(isRecord(defaults.resources) ? defaults.resources : {}), ...(isRecord(r.resources) ? r.resources : {}) }),
    retry: retry.value === undefined ? NO_RETRY : retryAt(ctx, retry.value, retry.path),
    ...(timeoutMs ? { timeoutMs } : {}),
    catch: pick('catch').value === true,
    cache: pick('cache').value !== false,
    ...(Array.isArray(r.deps) ? { deps: r.deps.filter((d): d is string => typeof d === 'string') } : {}),
    ...paramsOf(pick('params').value),
  };
}

function paramsOf(v: unknown): { params?: string[] } {
  return Array.isArray(v) ? { params: v.filter((p): p is string => typeof p === 'string') } : {};
}

function envOf(ctx: NormalizeContext, r: Raw, at: DataPath, defaults: Raw): Record<string, TemplateSpec> {
  const env: Record<string, TemplateSpec> = {};
  const add = (vars: unknown, base: DataPath) => {
    if (!isRecord(vars)) return;
    for (const [name, v] of Object.entries(vars)) {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') continue;
      const path = [...base, name];
      // Keep a number as written (`1.10`, not `1.1`).
      const node = findNode(ctx.src, path).node;
      const text = typeof v === 'string' ? v : isScalar(node) && typeof node.source === 'string' ? node.source : String(v);
      env[name] = templateAt(ctx, text, path);
    }
  };
  add(defaults.env, ['defaults', 'env']);
  add(r.env, [...at, 'env']);
  return env;
}

function valueOf(ctx: NormalizeContext, v: unknown, path: DataPath): ValueSpec | undefined {
  if (Array.isArray(v)) return { kind: 'literal', value: v, loc: ctx.loc(path) };
  if (typeof v !== 'string') return undefined;
  const whole = wholeExpressionAt(ctx, v, path);
  return whole ? { kind: 'expr', ...whole, loc: ctx.loc(path) } : undefined;
}

function foreachOf(ctx: NormalizeContext, r: Raw, at: DataPath): ForeachSpec | undefined {
  if (r.foreach !== undefined) {
    const items = valueOf(ctx, r.foreach, [...at, 'foreach']);
    return items ? { kind: 'list', items, loc: ctx.loc([...at, 'foreach'], true) } : undefined;
  }
  if (!isRecord(r.matrix)) return undefined;
  const axes: Array<{ name: string; values: ValueSpec }> = [];
  for (const [name, v] of Object.entries(r.matrix)) {
    const values = valueOf(ctx, v, [...at, 'matrix', name]);
    if (values) axes.push({ name, values });
  }
  return axes.length ? { kind: 'matrix', axes, loc: ctx.loc([...at, 'matrix'], true) } : undefined;
}
