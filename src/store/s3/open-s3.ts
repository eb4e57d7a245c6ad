/**
 * Open an `s3://bucket/prefix` store: build the client and the local cache, then make one
 * cheap request so a missing bucket, bad credentials or an unreachable endpoint is reported
 * up front, as a usage error (exit 2) with a hint, instead of as a failed task later.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { ExitCode, FlowctlError } from '../../errors.js';
import { cacheMaxBytes, cacheRoot, ObjectCache } from './object-cache.js';
import { formatS3Url, parseS3Url, type S3Location } from './parse-url.js';
import { S3Bucket } from './s3-bucket.js';
import { S3KeyStore } from './s3-keys.js';
import { S3ObjectStore } from './s3-objects.js';
import { createS3Client, s3Settings, type S3Settings } from './s3-client.js';
import { errorName, httpStatus } from './s3-errors.js';

const DEFAULT_CONCURRENCY = 16;

export interface S3Ports {
  objects: S3ObjectStore;
  kv: S3KeyStore;
}

/** The two ports of an S3 store. Example: `new Store(await openS3Ports('s3://team-ml/flowctl', process.env))`. */
export async function openS3Ports(url: string, env: NodeJS.ProcessEnv = process.env): Promise<S3Ports> {
  const loc = parseS3Url(url);
  const settings = s3Settings(env);
  const client = await createS3Client(env, settings);
  const concurrency = Number(env.FLOWCTL_S3_CONCURRENCY);
  const bucket = new S3Bucket(client, loc, Number.isInteger(concurrency) && concurrency > 0 ? concurrency : DEFAULT_CONCURRENCY);
  await probe(client, loc, settings);
  const cache = await new ObjectCache(cacheRoot(env), cacheMaxBytes(env)).init();
  return { objects: new S3ObjectStore(bucket, cache), kv: new S3KeyStore(bucket) };
}

async function probe(client: S3Client, loc: S3Location, s: S3Settings): Promise<void> {
  try {
    await client.send(new ListObjectsV2Command({ Bucket: loc.bucket, Prefix: loc.prefix ? `${loc.prefix}/` : undefined, MaxKeys: 1 }));
  } catch (e) {
    throw openError(e, loc, s);
  }
}

function openError(e: unknown, loc: S3Location, s: S3Settings): FlowctlError {
  const name = errorName(e);
  const where = formatS3Url(loc);
  const endpoint = s.endpoint ? ` at ${s.endpoint}` : '';
  const opts = (hint: string) => ({ exitCode: ExitCode.Usage, cause: e, hint });
  if (name === 'NoSuchBucket') {
    return new FlowctlError('S3_NO_BUCKET', `Bucket ${loc.bucket} does not exist${endpoint} (datastore ${where})`,
      opts(`Create it (aws s3 mb s3://${loc.bucket}${s.endpoint ? ` --endpoint-url ${s.endpoint}` : ''}) or fix --datastore / FLOWCTL_DATASTORE.`));
  }
  if (['InvalidAccessKeyId', 'SignatureDoesNotMatch', 'ExpiredToken', 'InvalidToken', 'CredentialsProviderError', 'TokenProviderError'].includes(name) ||
      /credential/i.test((e as Error)?.message ?? '')) {
    return new FlowctlError('S3_CREDENTIALS', `S3 refused the credentials for ${where}${endpoint}: ${name}: ${(e as Error).message}`,
      opts('Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE (the standard AWS credential chain is used).'));
  }
  if (name === 'AccessDenied' || httpStatus(e) === 403) {
    return new FlowctlError('S3_ACCESS_DENIED', `Access denied listing ${where}${endpoint}`,
      opts('The credentials need s3:ListBucket on the bucket and s3:GetObject/s3:PutObject on the prefix.'));
  }
  const status = httpStatus(e);
  const what = `${name === 'Error' ? '' : `${name}${status ? ` (HTTP ${status})` : ''}: `}${(e as Error)?.message ?? e}`;
  return new FlowctlError('S3_UNREACHABLE', `Cannot use the S3 datastore ${where}${endpoint}: ${what}`,
    opts('Check the endpoint (FLOWCTL_S3_ENDPOINT / AWS_ENDPOINT_URL_S3), FLOWCTL_S3_FORCE_PATH_STYLE and the network.'));
}
