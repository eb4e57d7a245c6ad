/**
 * The batch executor's timings, from the environment (all in ms, for tests and tuning):
 * FLOWCTL_BATCH_POLL_MS (how often jobs are described, default 5 s), FLOWCTL_BATCH_GATHER_MS
 * (how long a submission waits for more attempts of its step, default 0.5 s),
 * FLOWCTL_BATCH_RUNNABLE_WARN_MS (when a queued job earns a warning, default 5 min),
 * FLOWCTL_LOG_SHIP_MS (how often remote logs are shipped and read, default 3 s).
 */
import { FlowctlError } from '../../errors.js';
import type { GatherOptions } from './gather.js';
import { DEFAULT_RELAY, type RelayOptions } from './log-relay.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';

export interface BatchSettings {
  pollMs: number;
  /** A job Batch does not return this long is given up on. */
  missingMs: number;
  gather: GatherOptions;
  runnableWarnMs: number;
  /** After TerminateJob on Ctrl-C: how long to wait for the job to end (and record itself). */
  terminateWaitMs: number;
  /** A job running this long past its attempt's timeout is terminated. */
  timeoutGraceMs: number;
  relay: RelayOptions;
  retry: RetryOptions;
}

/** @throws FlowctlError BAD_BATCH_SETTING (exit 2) for a variable that is not a positive number of ms. */
export function batchSettings(env: NodeJS.ProcessEnv): BatchSettings {
  const pollMs = ms(env, 'FLOWCTL_BATCH_POLL_MS', 5000);
  const idleMs = ms(env, 'FLOWCTL_BATCH_GATHER_MS', 500);
  return {
    pollMs,
    missingMs: Math.max(5 * 60_000, 10 * pollMs),
    gather: { idleMs, maxWaitMs: Math.max(5000, 10 * idleMs), fanoutWaitMs: Math.max(60_000, 10 * idleMs) },
    runnableWarnMs: ms(env, 'FLOWCTL_BATCH_RUNNABLE_WARN_MS', 5 * 60_000),
    terminateWaitMs: ms(env, 'FLOWCTL_BATCH_TERMINATE_WAIT_MS', 60_000),
    timeoutGraceMs: ms(env, 'FLOWCTL_BATCH_TIMEOUT_GRACE_MS', 60_000),
    relay: { ...DEFAULT_RELAY, everyMs: ms(env, 'FLOWCTL_LOG_SHIP_MS', DEFAULT_RELAY.everyMs) },
    retry: { ...DEFAULT_RETRY, baseMs: ms(env, 'FLOWCTL_BATCH_RETRY_BASE_MS', DEFAULT_RETRY.baseMs) },
  };
}

function ms(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) {
    throw new FlowctlError('BAD_BATCH_SETTING', `${name}=${raw} is not a positive number of milliseconds`, { hint: `unset ${name} for the default (${fallback})` });
  }
  return n;
}
