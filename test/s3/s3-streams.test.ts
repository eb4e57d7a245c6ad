/**
 * Streamed files round-trip byte for byte: what lands in the bucket is the file (no
 * aws-chunked framing stored as data), what comes back is the file, and a 200 MB output
 * goes up and down with the process's peak RSS far below its size.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { keys } from '../../src/store/records.js';
import { sha256 } from '../../src/store/hash.js';
import { s3Backend, type TestBackend } from './helpers.js';
import { startS3rver, type TestS3 } from './s3rver.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const DIST = join(HERE, '../../dist');

let s3: TestS3;
let t: TestBackend;
beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3.stop();
});
beforeEach(async () => {
  t = await s3Backend(s3.endpoint);
});
afterEach(async () => {
  await t.cleanup();
});

/** The bytes S3 holds at a store key, fetched with the SDK directly (no flowctl verification in the way). */
async function rawBytes(key: string): Promise<Buffer> {
  const r = await t.backend.objects.bucket.client.send(new GetObjectCommand({ Bucket: 'bucket', Key: t.backend.objects.bucket.key(key) }));
  return Buffer.from(await r.Body!.transformToByteArray());
}

// 5 MiB is the part size: one byte more is the smallest multipart upload.
const SIZES: Array<[string, number]> = [['0 bytes', 0], ['1 byte', 1], ['5 MiB + 1 (multipart, 2 parts)', 5 * 1024 * 1024 + 1], ['17 MiB + 3 (4 parts)', 17 * 1024 * 1024 + 3]];

test.each(SIZES)('an object of %s round-trips byte-identically, moved in as an output', async (_name, size) => {
  const data = randomBytes(size);
  const taskDir = join(t.backend.objects.scratchDir(), `task-${size}`);
  await mkdir(taskDir, { recursive: true });
  await writeFile(join(taskDir, 'out.bin'), data);
  const info = await t.backend.objects.putFile(join(taskDir, 'out.bin'), { move: true });
  expect(info).toEqual({ hash: sha256(data), size });
  expect((await rawBytes(keys.object(info.hash))).equals(data)).toBe(true);
  const other = await t.fresh();
  const dest = join(other.objects.scratchDir(), 'staged', 'in.bin');
  await other.objects.materialize(info.hash, dest);
  expect((await readFile(dest)).equals(data)).toBe(true);
  expect((await other.objects.getBytes(info.hash)).equals(data)).toBe(true);
});

test.each(SIZES)('a log of %s round-trips byte-identically through putFile', async (_name, size) => {
  const data = randomBytes(size);
  await writeFile(join(t.dir, 'log'), data);
  await t.backend.kv.putFile('flows/f/runs/r/steps/s/tasks/0/attempts/1/stdout', join(t.dir, 'log'), { move: true });
  expect((await rawBytes('flows/f/runs/r/steps/s/tasks/0/attempts/1/stdout')).equals(data)).toBe(true);
});

test('a user file over 1 MiB is copied (never moved) and round-trips', async () => {
  const data = randomBytes(3 * 1024 * 1024 + 5);
  await writeFile(join(t.dir, 'data.bin'), data);
  const info = await t.backend.objects.putFile(join(t.dir, 'data.bin'));
  expect((await readFile(join(t.dir, 'data.bin'))).equals(data)).toBe(true);
  expect((await rawBytes(keys.object(info.hash))).equals(data)).toBe(true);
  // Stored already: a second put uploads nothing and copies nothing.
  expect(await t.backend.objects.putFile(join(t.dir, 'data.bin'))).toEqual(info);
});

test('a 200 MB output goes up and comes back byte-identical, peak RSS well under its size', async () => {
  const size = 200 * 1024 * 1024;
  const file = join(t.cacheDir, 'scratch', 'big-task', 'big.bin');
  await mkdir(dirname(file), { recursive: true });
  const h = createHash('sha256');
  const fh = await open(file, 'w');
  const chunk = randomBytes(4 * 1024 * 1024);
  for (let i = 0; i < size / chunk.length; i++) {
    chunk.writeUInt32LE(i, 0); // every chunk differs, so a part mix-up changes the hash
    await fh.write(chunk);
    h.update(chunk);
  }
  await fh.close();
  const expected = h.digest('hex');
  const url = `s3://bucket/${t.backend.objects.bucket.prefix}`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', join(HERE, 'fixtures/big-roundtrip.mjs'), DIST, url, file, t.cacheDir, join(t.dir, 'cache-b')], {
    env: { ...process.env, ...t.env },
  });
  const r = JSON.parse(stdout) as { info: { hash: string; size: number }; staged: { hash: string; size: number }; uploadMs: number; downloadMs: number; maxRssBytes: number; baseRssBytes: number };
  expect(r.info).toEqual({ hash: expected, size });
  expect(r.staged).toEqual({ hash: expected, size });
  const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
  console.log(`200 MiB against s3rver: upload ${mb((size / r.uploadMs) * 1000)} MiB/s, download+verify ${mb((size / r.downloadMs) * 1000)} MiB/s, ` +
    `peak RSS ${mb(r.maxRssBytes)} MiB (${mb(r.baseRssBytes)} MiB with the SDK loaded, before any transfer)`);
  // Node + the AWS SDK take ~65 MiB before a byte moves. The transfer adds 47-75 MiB when the
  // machine is quiet, but up to ~131 MiB during the full suite on 2 busy CPUs (not yet explained:
  // the pipelines are backpressured); the bound is what the transfer may add: under 150 MiB of a
  // 191 MiB file, i.e. it is never held whole.
  expect(r.maxRssBytes - r.baseRssBytes).toBeLessThan(150 * 1024 * 1024);
  expect(r.maxRssBytes - r.baseRssBytes).toBeLessThan(size);
}, 180_000);
