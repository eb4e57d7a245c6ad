/** Normalizers for single task settings: durations, retry, resources, outputs. Tolerant of schema-invalid input. */
import { posix } from 'node:path';
import type { BatchSpec, ResourcesSpec, RetrySpec } from './types.js';
import { describePath } from './describe.js';
import { formatDuration, parseDuration } from './duration.js';
import { isRecord, type NormalizeContext } from './normalize-context.js';
import type { DataPath } from './positions.js';

export const DEFAULT_MAX_DELAY_MS = 10 * 60_000;
export const NO_RETRY: RetrySpec = { maxAttempts: 1, delayMs: 0, backoff: 'fixed', maxDelayMs: DEFAULT_MAX_DELAY_MS };
export const DEFAULT_RESOURCES: ResourcesSpec = { cpu: 1, memory: 0, gpu: 0 };

const DURATION_HINT = 'durations are <integer><unit> parts with units ms, s, m, h, d (90s, 15m, 1h30m), or a number of seconds';

/** Milliseconds of the duration at `path`; undefined when absent or invalid (invalid values are reported). */
export function durationAt(ctx: NormalizeContext, value: unknown, path: DataPath): number | undefined {
  // Other types and negative numbers are schema errors, reported there.
  if (typeof value !== 'string' && !(typeof value === 'number' && value >= 0)) return undefined;
  try {
    return parseDuration(value);
  } catch (e) {
    ctx.problems.push({ loc: ctx.loc(path), message: `${describePath(path)}: ${(e as Error).message}`, rule: 'duration', hint: DURATION_HINT });
    return undefined;
  }
}

export function retryAt(ctx: NormalizeContext, value: unknown, path: DataPath): RetrySpec {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return { ...NO_RETRY, maxAttempts: value + 1 };
  if (!isRecord(value)) return NO_RETRY;
  const attempts = typeof value.attempts === 'number' && Number.isInteger(value.attempts) && value.attempts >= 1 ? value.attempts : 1;
  const delayMs = durationAt(ctx, value.delay, [...path, 'delay']) ?? 0;
  const maxDelayMs = durationAt(ctx, value.max_delay, [...path, 'max_delay']) ?? DEFAULT_MAX_DELAY_MS;
  const backoff = value.backoff === 'exponential' ? 'exponential' : 'fixed';
  if (maxDelayMs < delayMs) {
    const at = value.max_delay === undefined ? [...path, 'delay'] : [...path, 'max_delay'];
    ctx.problems.push({
      loc: ctx.loc(at),
      message: `${describePath(path)}: max_delay (${formatDuration(maxDelayMs)}) cannot be less than delay (${formatDuration(delayMs)})`,
      rule: 'retry',
      hint: value.max_delay === undefined ? 'max_delay defaults to 10m; set it to at least the delay' : 'raise max_delay or lower delay',
    });
  }
  return { maxAttempts: attempts, delayMs, backoff, maxDelayMs };
}

const MEMORY_UNITS: Record<string, number> = { '': 1, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

/** MiB from `4096`, `'4096'`, `'512Mi'`, `'4Gi'`, `'1.5Gi'` (rounded up); undefined if invalid. */
export function parseMemory(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)(Mi|Gi|Ti)?$/.exec(v);
  return m ? Math.ceil(Number(m[1]) * MEMORY_UNITS[m[2] ?? '']!) : undefined;
}

export function resourcesAt(value: unknown): ResourcesSpec {
  const r = isRecord(value) ? value : {};
  return {
    cpu: typeof r.cpu === 'number' && r.cpu > 0 ? r.cpu : DEFAULT_RESOURCES.cpu,
    memory: parseMemory(r.memory) ?? DEFAULT_RESOURCES.memory,
    gpu: typeof r.gpu === 'number' && Number.isInteger(r.gpu) && r.gpu >= 0 ? r.gpu : DEFAULT_RESOURCES.gpu,
  };
}

/** `defaults.batch` and a step's `batch`, merged key by key (`secrets` too); undefined when neither is set. */
export function batchAt(defaults: unknown, own: unknown): BatchSpec | undefined {
  if (!isRecord(defaults) && !isRecord(own)) return undefined;
  const d = isRecord(defaults) ? defaults : {};
  const o = isRecord(own) ? own : {};
  const m = { ...d, ...o };
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const secrets: Record<string, string> = {};
  for (const src of [d.secrets, o.secrets]) {
    if (!isRecord(src)) continue;
    for (const [k, v] of Object.entries(src)) if (typeof v === 'string') secrets[k] = v;
  }
  return {
    ...(str(m.queue) ? { queue: str(m.queue) } : {}),
    ...(str(m.job_role) ? { jobRole: str(m.job_role) } : {}),
    ...(str(m.execution_role) ? { executionRole: str(m.execution_role) } : {}),
    platform: m.platform === 'FARGATE' ? 'FARGATE' : 'EC2',
    assignPublicIp: m.assign_public_ip === true,
    secrets,
  };
}

/** `./out/model.json/` → `out/model.json`; the list keeps the file's order and length. */
export function normalizeOutput(p: string): string {
  const n = posix.normalize(p.replace(/\\/g, '/'));
  return n.length > 1 ? n.replace(/\/+$/, '') : n;
}
