/**
 * Reading a record is parsing it and checking it has the shape its readers rely on. A file
 * that is truncated, empty, binary, or valid JSON of another shape is *damaged*: it throws a
 * DamagedRecordError naming the key and what is wrong, so a reader can show that one run or
 * task as damaged (or, for a cache lookup, treat it as absent) instead of failing wholesale
 * or crashing later on a missing field. Only what readers use is checked, not every field.
 */
import { ExitCode, FlowctlError } from '../errors.js';

/** A record that cannot be read. `code` is STORE_CORRUPT, like other damage to a store. */
export class DamagedRecordError extends FlowctlError {
  /** The record's store key, e.g. `flows/train/runs/…/run.json`. */
  readonly key: string;
  /** What is wrong: `the file is empty`, `not valid JSON (…)`, `state is missing`. */
  readonly reason: string;
  constructor(key: string, reason: string, where: string, cause?: unknown) {
    super('STORE_CORRUPT', `${key} is damaged: ${reason}`, {
      exitCode: ExitCode.StepFailed,
      cause,
      hint: `Other runs and tasks are unaffected. Inspect or delete ${key} in ${where}.`,
    });
    this.name = 'DamagedRecordError';
    this.key = key;
    this.reason = reason;
  }
}

/** True for a DamagedRecordError (checked by shape: `instanceof` is unreliable across jest realms). */
export function isDamagedRecord(e: unknown): e is DamagedRecordError {
  return typeof e === 'object' && e !== null && (e as DamagedRecordError).code === 'STORE_CORRUPT' &&
    typeof (e as DamagedRecordError).key === 'string' && typeof (e as DamagedRecordError).reason === 'string';
}

/** Checks a parsed value; returns what is wrong with it, or undefined. */
export type Shape = (value: Record<string, unknown>) => string | undefined;

/**
 * JSON.parse plus a shape check.
 * @throws DamagedRecordError naming `key` (and `where`, the store's location, in the hint).
 */
export function parseRecord<T>(key: string, text: string, shape: Shape, where: string): T {
  if (text.trim() === '') throw new DamagedRecordError(key, 'the file is empty', where);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const binary = /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text.slice(0, 512));
    throw new DamagedRecordError(key, binary ? 'not text (binary content)' : `not valid JSON (${(e as Error).message})`, where, e);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new DamagedRecordError(key, `not a record: a JSON ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}, not an object`, where);
  }
  const wrong = shape(value as Record<string, unknown>);
  if (wrong) throw new DamagedRecordError(key, wrong, where);
  return value as T;
}

const RUN_STATES = new Set(['running', 'succeeded', 'failed', 'interrupted']);
const TASK_STATES = new Set(['pending', 'running', 'succeeded', 'failed', 'interrupted', 'skipped', 'cached']);
const ATTEMPT_STATES = new Set(['running', 'succeeded', 'failed', 'timeout', 'interrupted']);
const HASH = /^[0-9a-f]{64}$/;

/** A name that is one store key segment (flow, run id, step, task id): what keys.* may be built from. */
export function isKeySegment(v: unknown): v is string {
  return typeof v === 'string' && v !== '' && v !== '.' && v !== '..' && !/[/\0]/.test(v);
}

type Check = [field: string, ok: (v: unknown) => boolean, expected: string];
const str = (v: unknown) => typeof v === 'string';
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const obj = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown) => Array.isArray(v) && v.every(str);
const optional = (ok: (v: unknown) => boolean) => (v: unknown) => v === undefined || ok(v);

function check(rec: Record<string, unknown>, checks: Check[]): string | undefined {
  for (const [field, ok, expected] of checks) {
    if (rec[field] === undefined && !ok(undefined)) return `${field} is missing`;
    if (!ok(rec[field])) return `${field} is not ${expected}`;
  }
  return undefined;
}

function output(o: unknown): boolean {
  if (!obj(o)) return false;
  const e = o as Record<string, unknown>;
  return str(e.path) && (e.type === 'file' || e.type === 'dir') && typeof e.hash === 'string' && HASH.test(e.hash) && num(e.size);
}

function reuseSource(v: unknown): boolean {
  if (!obj(v)) return false;
  const c = v as Record<string, unknown>;
  return isKeySegment(c.runId) && isKeySegment(c.step) && isKeySegment(c.taskId);
}

/** run.json of run `runId` of flow `flow`: a run record copied from elsewhere is damaged too. */
export function runShape(flow: string, runId: string): Shape {
  return (r) => check(r, [
    ['flow', (v) => v === flow, `'${flow}' (the flow it is filed under)`],
    ['runId', (v) => v === runId, `'${runId}' (the run it is filed under)`],
    ['state', (v) => RUN_STATES.has(v as string), 'a run state'],
    ['params', obj, 'an object'],
    ['secretParams', optional(strings), 'a list of names'],
    ['user', str, 'a string'],
    ['namespace', str, 'a string'],
    ['tags', optional(strings), 'a list of tags'],
    ['startedAt', str, 'a time'],
    ['heartbeatAt', str, 'a time'],
    ['finishedAt', optional(str), 'a time'],
    ['codeHash', str, 'a hash'],
    ['flowFile', str, 'a path'],
    ['originRunId', optional(isKeySegment), 'a run id'],
    ['projectRoot', optional(str), 'a path'],
    ['taskCounts', optional(obj), 'an object'],
  ]);
}

/** task.json of task `taskId` of `step` in run `runId`. */
export function taskShape(runId: string, step: string, taskId: string): Shape {
  return (t) => check(t, [
    ['runId', (v) => v === runId, `'${runId}' (the run it is filed under)`],
    ['step', (v) => v === step, `'${step}' (the step it is filed under)`],
    ['taskId', (v) => v === taskId, `'${taskId}' (the task it is filed under)`],
    ['state', (v) => TASK_STATES.has(v as string), 'a task state'],
    ['outputs', (v) => Array.isArray(v) && v.every(output), 'a list of outputs (path, type, sha256 hash, size)'],
    ['values', obj, 'an object'],
    ['attempts', num, 'a number'],
    ['itemIndices', optional((v) => Array.isArray(v) && v.every(num)), 'a list of numbers'],
    ['cachedFrom', optional(reuseSource), 'a task reference'],
    ['cacheKey', optional(str), 'a string'],
    ['cloneKey', optional(str), 'a string'],
  ]);
}

/** attempt.json. */
export const attemptShape: Shape = (a) => check(a, [
  ['attempt', num, 'a number'],
  ['state', (v) => ATTEMPT_STATES.has(v as string), 'an attempt state'],
  ['exitCode', (v) => v === null || v === undefined || num(v), 'a number or null'],
  ['startedAt', optional(str), 'a time'],
]);

/** A cache index entry: the task that produced a key's outputs. */
export const cacheEntryShape: Shape = (c) =>
  isKeySegment(c.flow) && isKeySegment(c.runId) && isKeySegment(c.step) && isKeySegment(c.taskId) ? undefined : 'not a task reference (flow, runId, step, taskId)';

/** An attempt spec (`flowctl task` reads it): the ids it runs under and its command. */
export const attemptSpecShape: Shape = (s) =>
  isKeySegment(s.flow) && isKeySegment(s.runId) && isKeySegment(s.step) && isKeySegment(s.taskId) && typeof s.attempt === 'number'
    ? undefined
    : 'not an attempt spec (flow, runId, step, taskId, attempt)';

/** An AWS Batch array job's child list: the attempt each child index runs. */
export const jobArrayShape: Shape = (a) =>
  Array.isArray(a.attempts) && a.attempts.every((x) => typeof x === 'object' && x !== null && isKeySegment((x as { step?: unknown }).step) &&
    isKeySegment((x as { taskId?: unknown }).taskId) && typeof (x as { attempt?: unknown }).attempt === 'number')
    ? undefined
    : 'not an array job list (attempts: [{step, taskId, attempt}])';
