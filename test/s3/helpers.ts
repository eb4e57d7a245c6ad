/** An S3 backend on a fresh prefix of a test s3rver, with its own cache dir. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeTree } from '../../src/store/fs-util.js';
import { openS3Backend } from '../../src/store/s3/open-s3.js';
import type { S3Backend } from '../../src/store/s3/s3-backend.js';
import { s3Env } from './s3rver.js';

let n = 0;

export interface TestBackend {
  backend: S3Backend;
  /** A scratch dir for test files (on the cache's filesystem). */
  dir: string;
  cacheDir: string;
  env: Record<string, string>;
  /** Another backend on the same prefix with an empty cache: what a second machine sees. */
  fresh(): Promise<S3Backend>;
  cleanup(): Promise<void>;
}

export async function s3Backend(endpoint: string, opts: { bucket?: string; extraEnv?: Record<string, string> } = {}): Promise<TestBackend> {
  const dir = await mkdtemp(join(tmpdir(), 'flowctl-s3test-'));
  const cacheDir = join(dir, 'cache');
  const url = `s3://${opts.bucket ?? 'bucket'}/t${process.pid}-${n++}`;
  const env = { ...s3Env(endpoint, cacheDir), ...opts.extraEnv };
  const backend = await openS3Backend(url, env);
  let others = 0;
  return {
    backend,
    dir,
    cacheDir,
    env,
    fresh: () => openS3Backend(url, { ...env, FLOWCTL_CACHE_DIR: join(dir, `cache-${others++}`) }),
    cleanup: () => removeTree(dir),
  };
}
