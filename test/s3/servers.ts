/**
 * The S3 servers the S3 suites run against: s3rver (Node, files on disk) and moto (Python,
 * in memory). Suites use `describe.each(S3_SERVERS)`. FLOWCTL_TEST_S3=s3rver (or moto)
 * narrows a local run to one of them; CI runs both.
 */
import { startMoto } from './moto.js';
import { startS3rver, type TestS3 } from './s3rver.js';

export type { TestS3 } from './s3rver.js';

export interface S3Server {
  name: 's3rver' | 'moto';
  start(buckets?: string[]): Promise<TestS3>;
  /** Honours `If-None-Match: *` on PUT (AWS S3, MinIO, R2 and moto do; s3rver ignores it). */
  conditionalPuts: boolean;
  /** Refuses unknown access keys (s3rver knows one key pair; moto accepts any without IAM set up). */
  checksCredentials: boolean;
}

const ALL: S3Server[] = [
  { name: 's3rver', start: startS3rver, conditionalPuts: false, checksCredentials: true },
  { name: 'moto', start: startMoto, conditionalPuts: true, checksCredentials: false },
];

const only = process.env.FLOWCTL_TEST_S3?.split(',').map((s) => s.trim()).filter(Boolean);

/** `[name, server]` rows for `describe.each(S3_SERVERS)('%s', (_, server) => …)`. */
export const S3_SERVERS: Array<[string, S3Server]> = ALL.filter((s) => !only?.length || only.includes(s.name)).map((s) => [s.name, s]);
