/**
 * A real S3 protocol server for tests: s3rver on 127.0.0.1, an ephemeral port, a temp
 * directory, in a child process (s3rver-main.cjs) so its work does not share the test's
 * event loop or memory measurements. The core S3 suites also run against moto (moto.ts);
 * servers.ts lists both.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { removeDir, tempDir } from '../helpers/tmp.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 's3rver-main.cjs');

/** A running S3 server for tests (s3rver.ts, moto.ts). */
export interface TestS3 {
  /** `s3rver` or `moto`. */
  name: string;
  endpoint: string;
  port: number;
  /** The env a flowctl process needs to use it. */
  env(cacheDir: string): Record<string, string>;
  stop(): Promise<void>;
}

export async function startS3rver(buckets: string[] = ['bucket']): Promise<TestS3> {
  const dir = await tempDir('flowctl-s3rver-');
  // The IPC channel only ties the server's life to ours (see s3rver-main.cjs); unref'd, it keeps nothing alive.
  const child = spawn(process.execPath, ['--openssl-legacy-provider', MAIN, dir, ...buckets], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.channel?.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`s3rver exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    name: 's3rver',
    endpoint,
    port,
    env: (cacheDir) => s3Env(endpoint, cacheDir),
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await removeDir(dir);
    },
  };
}

export function s3Env(endpoint: string, cacheDir: string): Record<string, string> {
  return {
    FLOWCTL_S3_ENDPOINT: endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_REGION: 'us-east-1',
    FLOWCTL_CACHE_DIR: cacheDir,
  };
}
