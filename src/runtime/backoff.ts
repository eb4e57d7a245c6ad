import type { RetrySpec } from '../spec/types.js';

/** Delay before attempt `next` (2 = the first retry). Exponential doubles per retry, capped. */
export function retryDelayMs(retry: RetrySpec, next: number): number {
  const n = Math.max(0, next - 2);
  const raw = retry.backoff === 'exponential' ? retry.delayMs * 2 ** n : retry.delayMs;
  return Math.min(raw, retry.maxDelayMs);
}

/** Resolves after ms, or early (false) when the signal aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return Promise.resolve(!signal.aborted);
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
