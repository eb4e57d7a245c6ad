/**
 * The remote entrypoint's service (`flowctl task`): run an attempt whose spec another process
 * wrote to the store, on this machine, and write its results back — the same runAttempt as an
 * in-process attempt, so a container or AWS Batch job behaves like a local task.
 */
import { FlowctlError } from '../errors.js';
import type { AttemptRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { makeMasker } from '../task/mask.js';
import { runAttempt } from '../task/run-attempt.js';
import { ScratchPool } from '../task/scratch-pool.js';
import { LocalProcessRunner } from './local-process.js';

/** `flow/run-id/step/task-id/attempt`, as `flowctl task` takes it. */
export interface AttemptRef {
  flow: string;
  runId: string;
  step: string;
  taskId: string;
  attempt: number;
}

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
  const maskExtra = Object.entries(env).filter(([k]) => k.startsWith('FLOWCTL_MASK_')).map(([, v]) => v);
  const masker = makeMasker([...Object.values(secrets), ...maskExtra]);
  const scratch = new ScratchPool(store.runScratchDir(`${ref.runId}-remote-${process.pid}`, ref.runId));
  try {
    return await runAttempt(spec, { store, runner: new LocalProcessRunner(), scratch, masker, secrets, signal: opts.signal });
  } finally {
    await scratch.settle();
    await store.removeScratch('tasks', `${ref.runId}-remote-${process.pid}`);
  }
}
