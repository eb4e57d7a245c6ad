/**
 * The AWS Batch client, built from the environment: the SDK's standard credential chain and
 * region, and an endpoint from AWS_ENDPOINT_URL_BATCH or AWS_ENDPOINT_URL (a local fake, an
 * interface endpoint). The SDK's own retries are off: every call goes through withRetry
 * (retry.ts), so backoff, jitter and request counts are flowctl's. Loaded only by runs with
 * batch steps (the SDK costs start-up time).
 */
import type { BatchClient, BatchClientConfig } from '@aws-sdk/client-batch';
import { quietly } from '../../store/s3/sdk-quiet.js';

const DEFAULT_REGION = 'us-east-1';

/** The endpoint a Batch client uses: undefined for AWS's own. */
export function batchEndpoint(env: NodeJS.ProcessEnv): string | undefined {
  return env.AWS_ENDPOINT_URL_BATCH || env.AWS_ENDPOINT_URL || undefined;
}

/** @example const client = await createBatchClient(process.env); */
export async function createBatchClient(env: NodeJS.ProcessEnv): Promise<BatchClient> {
  const { BatchClient } = await import('@aws-sdk/client-batch');
  const config: BatchClientConfig = {
    endpoint: batchEndpoint(env),
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 60_000 },
    ...(env !== process.env && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN } }
      : {}),
  };
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION;
  if (region) return quietly(() => new BatchClient({ ...config, region }));
  // No region in the environment: the SDK's chain (profiles in ~/.aws/config), else us-east-1.
  const probe = quietly(() => new BatchClient(config));
  try {
    await probe.config.region();
    return probe;
  } catch {
    probe.destroy();
    return quietly(() => new BatchClient({ ...config, region: DEFAULT_REGION }));
  }
}
