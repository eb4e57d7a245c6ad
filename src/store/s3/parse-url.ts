/** `s3://bucket/prefix` → bucket and key prefix, checked before any request is made. */
import { ExitCode, FlowctlError } from '../../errors.js';

export interface S3Location {
  bucket: string;
  /** Key prefix without leading or trailing `/`; '' for the bucket's root. */
  prefix: string;
}

// Lenient on purpose: S3-compatible servers (and legacy us-east-1 buckets) allow more than AWS's current rules.
const BUCKET = /^[a-z0-9][a-z0-9._-]{1,62}$/i;

/** Example: `parseS3Url('s3://team-ml/flowctl/')` → `{ bucket: 'team-ml', prefix: 'flowctl' }`. */
export function parseS3Url(url: string): S3Location {
  const m = /^s3:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(url);
  if (!m) throw bad(url, 'expected s3://bucket or s3://bucket/prefix (no ?query or #fragment)');
  const bucket = m[1];
  if (!BUCKET.test(bucket)) throw bad(url, `"${bucket}" is not a valid bucket name`);
  // `s3://b/runs/` and `s3://b//runs` mean the same prefix; `.` and `..` would make keys that tools resolve differently.
  const parts = (m[2] ?? '').split('/').filter((p) => p !== '');
  if (parts.some((p) => p === '.' || p === '..')) throw bad(url, 'the prefix may not contain "." or ".." segments');
  return { bucket, prefix: parts.join('/') };
}

/** The canonical spelling: `s3://bucket` or `s3://bucket/prefix`. */
export function formatS3Url(loc: S3Location): string {
  return loc.prefix ? `s3://${loc.bucket}/${loc.prefix}` : `s3://${loc.bucket}`;
}

function bad(url: string, why: string): FlowctlError {
  return new FlowctlError('STORE_BAD_LOCATION', `Invalid S3 datastore ${JSON.stringify(url)}: ${why}`, {
    exitCode: ExitCode.Usage,
    hint: 'Use --datastore s3://BUCKET/PREFIX (or set FLOWCTL_DATASTORE).',
  });
}
