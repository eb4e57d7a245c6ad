/**
 * What flowctl submits: the job's command is `flowctl task` naming the attempt (or, for an
 * array job, the stored list its children index with AWS_BATCH_JOB_ARRAY_INDEX), and its
 * environment is flowctl's own store settings only: the task's environment is in the stored
 * attempt spec (secret-free), secrets come from the job definition's `secrets`, and AWS
 * credentials from the job role.
 */
import type { SubmitJobCommandInput } from '@aws-sdk/client-batch';
import type { AttemptSpec } from '../../store/records.js';
import { environmentOf } from './job-definition.js';

/** Batch's limit on an array job's size; a larger fan-out is split. */
export const MAX_ARRAY_SIZE = 10_000;
/** Batch's shortest job timeout (s). */
const MIN_TIMEOUT_S = 60;
/** What Batch's timeout adds to the step's own (enforced inside the job): staging and uploads. */
export const TIMEOUT_GRACE_MS = 5 * 60_000;

/**
 * Settings of the orchestrating flowctl that the job's flowctl needs to reach the same store
 * the same way. Never credentials: the job has its own (the job role).
 */
export const FORWARDED_ENV = [
  'FLOWCTL_S3_ENDPOINT', 'AWS_ENDPOINT_URL_S3', 'FLOWCTL_S3_FORCE_PATH_STYLE', 'FLOWCTL_S3_MAX_ATTEMPTS', 'FLOWCTL_S3_CONCURRENCY',
  'AWS_REQUEST_CHECKSUM_CALCULATION', 'FLOWCTL_LOG_SHIP_MS',
] as const;

export interface Submission {
  /** The attempts, in child-index order (one: a plain job). */
  specs: AttemptSpec[];
  /** `name:revision` of the job definition. */
  definition: string;
  queue: string;
  /** The store the job reads and writes (`s3://bucket/prefix`). */
  datastore: string;
  /** For an array job: the id of its stored list (`flows/<flow>/runs/<run>/arrays/<id>.json`). */
  arrayId?: string;
  env: NodeJS.ProcessEnv;
}

export function submitJobInput(s: Submission): SubmitJobCommandInput {
  const first = s.specs[0]!;
  const array = s.specs.length > 1;
  if (array && !s.arrayId) throw new Error('an array job needs the id of its stored list');
  const target = array ? ['--array', `${first.flow}/${first.runId}/${s.arrayId}`] : [`${first.flow}/${first.runId}/${first.step}/${first.taskId}/${first.attempt}`];
  const env: Record<string, string> = {};
  for (const name of FORWARDED_ENV) if (s.env[name]) env[name] = s.env[name]!;
  const timeoutMs = first.timeoutMs;
  return {
    jobName: jobName(first, array ? s.specs.length : undefined),
    jobQueue: s.queue,
    jobDefinition: s.definition,
    ...(array ? { arrayProperties: { size: s.specs.length } } : {}),
    containerOverrides: {
      command: ['flowctl', 'task', '--datastore', s.datastore, ...target],
      ...(Object.keys(env).length ? { environment: environmentOf(env) } : {}),
    },
    ...(timeoutMs ? { timeout: { attemptDurationSeconds: Math.max(MIN_TIMEOUT_S, Math.ceil((timeoutMs + TIMEOUT_GRACE_MS) / 1000)) } } : {}),
  };
}

/** `flowctl-train-fit-3-a1`, or `flowctl-train-fit-x4-a1` for an array of 4: letters, digits, `-` and `_`, at most 128. */
export function jobName(spec: AttemptSpec, arraySize?: number): string {
  const what = arraySize ? `x${arraySize}` : spec.taskId;
  return `flowctl-${spec.flow}-${spec.step}-${what}-a${spec.attempt}`.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128);
}
