/**
 * Batch's job states as flowctl shows and records them: SUBMITTED, PENDING, RUNNABLE,
 * STARTING and RUNNING are an attempt's place before it ends (the live view's status);
 * SUCCEEDED and FAILED end it. Why a job failed is in its statusReason (`Host EC2 … terminated`,
 * `Job attempt duration exceeded timeout`) and its container's reason (`OutOfMemoryError: …`,
 * `CannotPullContainerError: …`).
 */
import type { JobDetail } from '@aws-sdk/client-batch';
import type { JobInfo } from '../../store/records.js';
import type { AttemptStatus } from '../port.js';

const WAITING = new Set(['SUBMITTED', 'PENDING', 'RUNNABLE']);

export function isFinal(status: string | undefined): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED';
}

/** Queued, not yet on a machine. */
export function isWaiting(status: string | undefined): boolean {
  return status !== undefined && WAITING.has(status);
}

/** The live view's status of a job not yet ended; undefined once it has. */
export function attemptStatusOf(status: string | undefined): AttemptStatus['status'] | undefined {
  switch (status) {
    case 'SUBMITTED': return 'submitted';
    case 'PENDING': return 'pending';
    case 'RUNNABLE': return 'runnable';
    case 'STARTING': return 'starting';
    case 'RUNNING': return 'running';
    default: return undefined;
  }
}

/** What an attempt record keeps of a described job. */
export function jobInfoOf(job: JobDetail, fallbackId: string): JobInfo {
  const c = job.container;
  const reason = [c?.reason, ...(job.attempts ?? []).map((a) => a.container?.reason)].find((r) => r);
  const index = job.arrayProperties?.index;
  return {
    id: job.jobId ?? fallbackId,
    ...(job.jobQueue ? { queue: job.jobQueue } : {}),
    ...(index !== undefined ? { arrayIndex: index } : {}),
    ...(job.status ? { status: job.status } : {}),
    ...(job.statusReason ? { statusReason: job.statusReason } : {}),
    ...(reason ? { containerReason: reason } : {}),
    ...(c?.logStreamName ? { logStream: c.logStreamName } : {}),
  };
}

/** `AWS Batch: Host EC2 (instance i-0ab) terminated.; container: OutOfMemoryError: …` (what Batch says, once each). */
export function batchReason(info: JobInfo): string | undefined {
  const parts = [info.statusReason, info.containerReason && info.containerReason !== info.statusReason ? `container: ${info.containerReason}` : undefined]
    .filter((p): p is string => !!p);
  return parts.length ? `AWS Batch: ${parts.join('; ')}` : undefined;
}

/** Milliseconds since the epoch of a Batch timestamp (a number of ms, or absent). */
export function batchTime(t: number | undefined): number | undefined {
  return typeof t === 'number' && t > 0 ? t : undefined;
}
