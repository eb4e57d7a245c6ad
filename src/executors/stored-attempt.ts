/**
 * The remote entrypoint's service (`flowctl task`): run an attempt whose spec another process
 * wrote to the store, on this machine, and write its results back — the same runAttempt as an
 * in-process attempt, so a container or AWS Batch job behaves like a local task.
 */
import { randomUUID } from 'node:crypto';
import { FlowctlError } from '../errors.js';
import type { AttemptRecord, JobInfo } from '../store/records.js';
import type { Store } from '../store/store.js';
import { makeMasker } from '../task/mask.js';
import { runAttempt } from '../task/run-attempt.js';
import { ScratchPool } from '../task/scratch-pool.js';
import { MASK_ENV_PREFIX } from '../task/task-env.js';
import { LocalProcessRunner } from './local-process.js';

/** `flow/run-id/step/task-id/attempt`, as `flowctl task` takes it. */
export interface AttemptRef {
  flow: string;
  runId: string;
  step: string;
  taskId: string;
  attempt: number;
}

/** `flow/run-id/array-id`: an AWS Batch array job's list of attempts (`flowctl task --array`). */
export interface JobArrayRef {
  flow: string;
  runId: string;
  arrayId: string;
}

/** How often a remote attempt appends its output to the stored logs (FLOWCTL_LOG_SHIP_MS, default 3 s). */
export const DEFAULT_LOG_SHIP_MS = 3000;

/** @throws FlowctlError BAD_ATTEMPT_REF (exit 2) for anything but five `/`-separated parts ending in a number. */
export function parseAttemptRef(text: string): AttemptRef {
  const parts = text.split('/');
  const attempt = Number(parts[4]);
  if (parts.length !== 5 || parts.some((p) => p === '') || !Number.isInteger(attempt) || attempt < 1) {
    throw new FlowctlError('BAD_ATTEMPT_REF', `'${text}' is not FLOW/RUN_ID/STEP/TASK_ID/ATTEMPT`, {
      hint: 'e.g. train/20261126T131500.123Z-ab12cd/fit/2/1',
    });
  }
  return { flow: parts[0]!, runId: parts[1]!, step: parts[2]!, taskId: parts[3]!, attempt };
}

/** @throws FlowctlError BAD_ATTEMPT_REF (exit 2) for anything but three `/`-separated names. */
export function parseJobArrayRef(text: string): JobArrayRef {
  const parts = text.split('/');
  if (parts.length !== 3 || parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new FlowctlError('BAD_ATTEMPT_REF', `'${text}' is not FLOW/RUN_ID/ARRAY_ID`, { hint: 'e.g. train/20261126T131500.123Z-ab12cd/fit-1a2b3c' });
  }
  return { flow: parts[0]!, runId: parts[1]!, arrayId: parts[2]! };
}

/**
 * The attempt a child of an array job runs: entry AWS_BATCH_JOB_ARRAY_INDEX of the stored list.
 * @throws FlowctlError ATTEMPT_NOT_FOUND when the list is missing or has no such entry; BAD_ATTEMPT_REF without an index.
 */
export async function resolveJobArrayChild(store: Store, ref: JobArrayRef, env: NodeJS.ProcessEnv = process.env): Promise<AttemptRef> {
  const raw = env.AWS_BATCH_JOB_ARRAY_INDEX;
  const index = Number(raw);
  if (raw === undefined || raw === '' || !Number.isInteger(index) || index < 0) {
    throw new FlowctlError('BAD_ATTEMPT_REF', `--array needs AWS_BATCH_JOB_ARRAY_INDEX (the child's index), got ${JSON.stringify(raw ?? null)}`, {
      hint: 'AWS Batch sets it in every child of an array job',
    });
  }
  const list = await store.readJobArray(ref.flow, ref.runId, ref.arrayId);
  const entry = list?.attempts[index];
  if (!entry) {
    throw new FlowctlError('ATTEMPT_NOT_FOUND', `no entry ${index} in job array ${ref.flow}/${ref.runId}/${ref.arrayId} in ${store.location}`);
  }
  return { flow: ref.flow, runId: ref.runId, step: entry.step, taskId: entry.taskId, attempt: entry.attempt };
}

/**
 * Runs the stored attempt. Secret variables the spec names come from `env` (a job's own
 * environment: AWS Batch injects them from Secrets Manager or SSM), as do extra mask values in
 * `FLOWCTL_MASK_*` (whole secrets whose derived values are all the command gets).
 * @throws FlowctlError ATTEMPT_NOT_FOUND when no spec is stored for `ref`.
 */
export async function runStoredAttempt(store: Store, ref: AttemptRef, opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): Promise<AttemptRecord> {
  const env = opts.env ?? process.env;
  const spec = await store.readAttemptSpec(ref.flow, ref.runId, ref.step, ref.taskId, ref.attempt);
  if (!spec) {
    throw new FlowctlError('ATTEMPT_NOT_FOUND', `no attempt spec for ${ref.flow}/${ref.runId}/${ref.step}/${ref.taskId}/${ref.attempt} in ${store.location}`);
  }
  const secrets: Record<string, string> = {};
  for (const name of spec.secretEnv) if (env[name] !== undefined) secrets[name] = env[name]!;
  const maskExtra = Object.entries(env).filter(([k]) => k.startsWith(MASK_ENV_PREFIX)).map(([, v]) => v);
  const masker = makeMasker([...Object.values(secrets), ...maskExtra]);
  // Its own directory per attempt: containers sharing a cache directory may all have the same pid.
  const scratchName = `${ref.runId}-remote-${randomUUID().slice(0, 8)}`;
  const scratch = new ScratchPool(store.runScratchDir(scratchName, ref.runId));
  const ship = Number(env.FLOWCTL_LOG_SHIP_MS);
  try {
    return await runAttempt(spec, {
      store, runner: new LocalProcessRunner(), scratch, masker, secrets, signal: opts.signal,
      liveLogsEveryMs: Number.isFinite(ship) && ship > 0 ? ship : DEFAULT_LOG_SHIP_MS, ranBy: batchJob(env),
    });
  } finally {
    await scratch.settle();
    await store.removeScratch('tasks', scratchName);
  }
}

/** Inside an AWS Batch job, the job as Batch names it (its environment says so). */
function batchJob(env: NodeJS.ProcessEnv): { executor: string; job: JobInfo } | undefined {
  const id = env.AWS_BATCH_JOB_ID;
  if (!id) return undefined;
  const index = Number(env.AWS_BATCH_JOB_ARRAY_INDEX);
  return {
    executor: 'batch',
    job: { id, ...(env.AWS_BATCH_JQ_NAME ? { queue: env.AWS_BATCH_JQ_NAME } : {}), ...(env.AWS_BATCH_JOB_ARRAY_INDEX && Number.isInteger(index) ? { arrayIndex: index } : {}) },
  };
}
