/** SDK errors in flowctl's terms: which ones mean "absent", and a message naming bucket and key. */
import { ExitCode, FlowctlError } from '../../errors.js';

interface SdkError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const sdk = (e: unknown): SdkError => (typeof e === 'object' && e !== null ? (e as SdkError) : {});

export function errorName(e: unknown): string {
  const s = sdk(e);
  return s.Code ?? s.name ?? s.code ?? 'Error';
}

export function httpStatus(e: unknown): number | undefined {
  return sdk(e).$metadata?.httpStatusCode;
}

/** The key is not there (HEAD answers a bare 404 `NotFound`; GET says `NoSuchKey`). Not a missing bucket. */
export function isNotFound(e: unknown): boolean {
  const name = errorName(e);
  return name === 'NoSuchKey' || name === 'NotFound' || (httpStatus(e) === 404 && name !== 'NoSuchBucket');
}

/** A conditional write lost: If-None-Match saw the key, or a concurrent conditional write won. */
export function isPreconditionFailed(e: unknown): boolean {
  const name = errorName(e);
  return name === 'PreconditionFailed' || name === 'ConditionalRequestConflict' || httpStatus(e) === 412 || httpStatus(e) === 409;
}

/** The connection broke while a response body was streaming: worth another GET (the SDK only retries up to the headers). */
export function isBodyStreamError(e: unknown): boolean {
  if (e instanceof FlowctlError || (typeof e === 'object' && e !== null && 'exitCode' in e)) return false;
  const code = sdk(e).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    code === 'ECONNABORTED' || /aborted|socket hang up|premature close/i.test(sdk(e).message ?? '');
}

/**
 * Example: `s3Error('PutObject', 's3://team/flowctl/objects/sha256/ab/ab…', e)` →
 * "S3 PutObject of s3://team/… failed after 6 attempts: SlowDown (HTTP 503): Please reduce your request rate".
 */
export function s3Error(op: string, url: string, e: unknown): FlowctlError {
  const s = sdk(e);
  const status = httpStatus(e);
  const attempts = s.$metadata?.attempts;
  const detail = `${errorName(e)}${status ? ` (HTTP ${status})` : ''}${s.message && s.message !== errorName(e) ? `: ${s.message}` : ''}`;
  return new FlowctlError('S3_ERROR', `S3 ${op} of ${url} failed${attempts && attempts > 1 ? ` after ${attempts} attempts` : ''}: ${detail}`, {
    exitCode: ExitCode.StepFailed,
    cause: e,
    hint: hintFor(errorName(e), status),
  });
}

function hintFor(name: string, status: number | undefined): string {
  if (name === 'AccessDenied' || status === 403) return 'Check that your credentials may read and write this bucket (s3:GetObject, s3:PutObject, s3:ListBucket).';
  if (name === 'NoSuchBucket') return 'The bucket is gone or was never created; check --datastore / FLOWCTL_DATASTORE.';
  if (status !== undefined && status >= 500) return 'The S3 service kept failing; transient errors were retried with backoff (FLOWCTL_S3_MAX_ATTEMPTS raises the limit).';
  return 'Check the network and the endpoint (FLOWCTL_S3_ENDPOINT / AWS_ENDPOINT_URL_S3), then re-run or `flowctl resume`.';
}
