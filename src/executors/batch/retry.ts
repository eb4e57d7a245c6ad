/**
 * Retries of AWS Batch calls: exponential backoff with full jitter (a random wait between 0
 * and base·2ⁿ, capped), so a thousand clients throttled together do not come back together.
 * Throttling (TooManyRequestsException, HTTP 429), server errors and dropped connections are
 * retried; anything else (a bad request, missing permission) is not.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Tries in all, the first included. */
  tries: number;
  /** Base of the backoff (ms): try n waits up to baseMs·2ⁿ⁻¹. */
  baseMs: number;
  /** Longest wait (ms). */
  capMs: number;
  /** Which failures may be tried again (default: isTransient). */
  retryable?: (e: unknown) => boolean;
  /** Told of every failure that will be retried, with the wait before the next try. */
  onRetry?: (e: unknown, delayMs: number) => void;
  signal?: AbortSignal;
}

export const DEFAULT_RETRY: RetryOptions = { tries: 8, baseMs: 250, capMs: 20_000 };

/** @throws the last error when tries run out, or at once when it is not retryable. */
export async function withRetry<T>(call: () => Promise<T>, o: RetryOptions = DEFAULT_RETRY): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await call();
    } catch (e) {
      if (n >= o.tries || !(o.retryable ?? isTransient)(e) || o.signal?.aborted) throw e;
      const delay = jitter(n, o);
      o.onRetry?.(e, delay);
      await sleep(delay, undefined, { signal: o.signal }).catch(() => {});
    }
  }
}

/** Full jitter: uniform in [0, min(cap, base·2ⁿ⁻¹)]. */
export function jitter(n: number, o: Pick<RetryOptions, 'baseMs' | 'capMs'>): number {
  return Math.floor(Math.random() * Math.min(o.capMs, o.baseMs * 2 ** (n - 1)));
}

const THROTTLES = new Set(['TooManyRequestsException', 'ThrottlingException', 'Throttling', 'RequestLimitExceeded']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH']);
/** Failures that say the request never reached the service: resending cannot do it twice. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

export function isThrottle(e: unknown): boolean {
  return THROTTLES.has(errorName(e)) || httpStatus(e) === 429;
}

/** Throttling, a 5xx, a timeout or a dropped connection. */
export function isTransient(e: unknown): boolean {
  if (isThrottle(e)) return true;
  const status = httpStatus(e);
  if (status !== undefined && status >= 500) return true;
  const name = errorName(e);
  return name === 'ServerException' || name === 'TimeoutError' || name === 'RequestTimeout' || NETWORK.has(errorCode(e));
}

/**
 * For calls that must not happen twice (SubmitJob has no idempotency token): only failures
 * that prove the service did not act (throttled, or no connection made).
 */
export function isSafeToResend(e: unknown): boolean {
  return isThrottle(e) || NOT_SENT.has(errorCode(e));
}

export function errorName(e: unknown): string {
  return (e as { name?: string })?.name ?? '';
}

function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

function errorCode(e: unknown): string {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.code ?? err?.cause?.code ?? '';
}

/** `TooManyRequestsException: Too Many Requests` (the name only once). */
export function describeError(e: unknown): string {
  const name = errorName(e);
  const msg = (e as Error)?.message ?? String(e);
  return name && name !== 'Error' && !msg.startsWith(name) ? `${name}: ${msg}` : msg;
}
