/**
 * Builds the AWS SDK client from the environment: the standard credential chain and region,
 * an endpoint for S3-compatible servers (MinIO, Ceph, R2, s3rver), and retries tuned for
 * long pipelines. Everything here is configuration; no request is made.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { ExitCode, FlowctlError } from '../../errors.js';
import { quietly } from './sdk-quiet.js';

const DEFAULT_REGION = 'us-east-1';
/** SDK attempts per request (first try included): with exponential backoff and jitter this rides out ~10 s of 5xx/throttling. */
const DEFAULT_MAX_ATTEMPTS = 6;
/** Concurrent connections; the store's own limit (FLOWCTL_S3_CONCURRENCY × upload queue) stays below it. */
const MAX_SOCKETS = 64;

export interface S3Settings {
  /** Undefined: AWS's own endpoints. */
  endpoint?: string;
  isAws: boolean;
  forcePathStyle: boolean;
  region?: string;
  maxAttempts: number;
  retryMode: 'standard' | 'adaptive';
  /** WHEN_REQUIRED off AWS: see createS3Client. */
  checksums?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
}

/** Example: `s3Settings({ FLOWCTL_S3_ENDPOINT: 'http://127.0.0.1:9000' })` → path-style, WHEN_REQUIRED checksums. */
export function s3Settings(env: NodeJS.ProcessEnv): S3Settings {
  // flowctl's own variable wins: it is the one a user sets for flowctl alone.
  const raw = env.FLOWCTL_S3_ENDPOINT || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const endpoint = raw === undefined ? undefined : checkEndpoint(raw);
  const isAws = endpoint === undefined || /(^|\.)amazonaws\.com(\.cn)?$/i.test(new URL(endpoint).hostname);
  const pathStyle = env.FLOWCTL_S3_FORCE_PATH_STYLE?.toLowerCase();
  // Virtual-hosted addressing needs wildcard DNS (bucket.host), which local servers rarely have.
  const forcePathStyle = pathStyle === '1' || pathStyle === 'true' ? true : pathStyle === '0' || pathStyle === 'false' ? false : !isAws;
  const attempts = Number(env.FLOWCTL_S3_MAX_ATTEMPTS || env.AWS_MAX_ATTEMPTS);
  const explicitChecksums = env.AWS_REQUEST_CHECKSUM_CALCULATION?.toUpperCase();
  return {
    endpoint,
    isAws,
    forcePathStyle,
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    maxAttempts: Number.isInteger(attempts) && attempts >= 1 ? attempts : DEFAULT_MAX_ATTEMPTS,
    retryMode: env.AWS_RETRY_MODE === 'adaptive' ? 'adaptive' : 'standard',
    checksums: explicitChecksums === 'WHEN_REQUIRED' || explicitChecksums === 'WHEN_SUPPORTED' ? explicitChecksums : isAws ? undefined : 'WHEN_REQUIRED',
  };
}

/**
 * The client. Off AWS, request checksums are only sent when an operation requires them: by
 * default the SDK streams bodies with aws-chunked framing and a trailing CRC, which some
 * servers (s3rver among them) store as part of the object without complaint. flowctl
 * verifies every object's sha256 itself, so nothing is lost.
 */
export async function createS3Client(env: NodeJS.ProcessEnv, s: S3Settings = s3Settings(env)): Promise<S3Client> {
  const config: S3ClientConfig = {
    endpoint: s.endpoint,
    forcePathStyle: s.forcePathStyle,
    followRegionRedirects: true,
    maxAttempts: s.maxAttempts,
    retryMode: s.retryMode,
    // Idle sockets (a server that stopped answering) fail and are retried; a long upload is never cut short.
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 60_000, httpAgent: { keepAlive: true, maxSockets: MAX_SOCKETS }, httpsAgent: { keepAlive: true, maxSockets: MAX_SOCKETS } },
    ...(s.checksums ? { requestChecksumCalculation: s.checksums, responseChecksumValidation: s.checksums } : {}),
    ...(env !== process.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
  };
  if (s.region) return quietly(() => new S3Client({ ...config, region: s.region }));
  // No region in the environment: ask the SDK's chain (profiles in ~/.aws/config), else us-east-1.
  // followRegionRedirects fixes a wrong guess for AWS buckets; other servers mostly ignore the region.
  const probe = quietly(() => new S3Client(config));
  try {
    await probe.config.region();
    return probe;
  } catch {
    probe.destroy();
    return quietly(() => new S3Client({ ...config, region: DEFAULT_REGION }));
  }
}

function checkEndpoint(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    url = new URL('invalid:');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FlowctlError('S3_BAD_ENDPOINT', `Invalid S3 endpoint ${JSON.stringify(raw)}: expected an http:// or https:// URL`, {
      exitCode: ExitCode.Usage,
      hint: 'Set FLOWCTL_S3_ENDPOINT (or AWS_ENDPOINT_URL_S3) to e.g. http://127.0.0.1:9000, or unset it for AWS.',
    });
  }
  return raw.replace(/\/+$/, '');
}
