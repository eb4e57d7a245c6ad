/**
 * moto's S3 server (`moto_server`, Python) for the tests: a second S3 implementation next to
 * s3rver, so flowctl is not tuned to one server's quirks. It listens on 127.0.0.1 and an
 * ephemeral port, keeps everything in memory, and ends with us: it runs under a shell that
 * kills it when its stdin closes (our stop(), or this process dying).
 */
import { spawn } from 'node:child_process';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { s3Env, type TestS3 } from './s3rver.js';

const START_TIMEOUT_MS = 60_000;

/** The message a missing `moto_server` fails with (also what .ci/run says). */
export const MOTO_MISSING = 'moto_server is not on PATH: the S3 tests also run against moto\'s S3 server. Install it with Python: pip install "moto[server]"';

export async function startMoto(buckets: string[] = ['bucket']): Promise<TestS3> {
  // `read` returns when our end of stdin closes; then moto goes.
  const script = 'moto_server -H 127.0.0.1 -p 0 & m=$!; read _; kill $m 2>/dev/null; wait $m';
  const child = spawn('sh', ['-c', `command -v moto_server >/dev/null || { echo "${MOTO_MISSING}" >&2; exit 127; }; ${script}`], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`moto_server did not start within ${START_TIMEOUT_MS / 1000} s:\n${output}`)), START_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(code === 127 && output.includes('not on PATH') ? MOTO_MISSING : `moto_server exited with ${code} before listening:\n${output}`));
    });
  });
  // Its request log would fill the pipe: keep reading, drop it.
  child.stdout!.resume();
  child.stderr!.removeAllListeners('data').resume();
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    child.stdin!.end();
    await exited;
  };
  try {
    await createBuckets(endpoint, buckets);
  } catch (e) {
    await stop();
    throw e;
  }
  return { name: 'moto', endpoint, port, env: (cacheDir) => s3Env(endpoint, cacheDir), stop };
}

/** Create the buckets, retrying while the server warms up (its first request loads every AWS service model). */
async function createBuckets(endpoint: string, buckets: string[]): Promise<void> {
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' }, maxAttempts: 10 });
  try {
    for (const name of buckets) await client.send(new CreateBucketCommand({ Bucket: name }));
  } finally {
    client.destroy();
  }
}
