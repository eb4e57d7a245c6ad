/**
 * Isolation and integrity with an S3 datastore: staged inputs are hard links of the local
 * cache's copies, so a task writing through one damages that copy (never the bucket's); it is
 * caught, dropped and downloaded again. Log files a task replaces with links are not followed.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { flowctl, runIdFrom } from '../helpers/cli.js';
import { removeTree } from '../../src/store/fs-util.js';
import { freshStore } from './helpers.js';
import { startS3rver, type TestS3 } from './s3rver.js';

const URL = 's3://bucket/iso';
let s3: TestS3;
let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  s3 = await startS3rver();
  dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-s3iso-'));
  env = s3.env(path.join(dir, 'cache'));
});
afterAll(async () => {
  await s3.stop();
  await removeTree(dir);
});

const cli = (args: string[], extra: Record<string, string> = {}) => flowctl(args, { cwd: dir, env: { ...env, ...extra } });

const flow = (tamper: string) => `
version: 1
name: s3tamper
steps:
  make: { run: echo original > data.txt, outputs: [data.txt] }
  tamper: { needs: [make], run: ${JSON.stringify(tamper)} }
  check: { needs: [make, tamper], run: cat data.txt > seen.txt, outputs: [seen.txt] }
`;

test('a staged input written through chmod: the task fails, the cache copy is dropped, the bucket keeps the right bytes', async () => {
  await writeFile(path.join(dir, 'flow.yaml'), flow('chmod u+w data.txt && echo tampered >> data.txt'));
  const r = await cli(['run', 'flow.yaml', '--datastore', URL]);
  expect(r.exitCode).toBe(1);
  const store = await freshStore(URL, s3.endpoint, dir);
  const id = runIdFrom(r);
  const task = await store.readTask('s3tamper', id, 'tamper', '0');
  expect(task?.reason).toMatch(/modified its staged input data\.txt in place \(the damaged local cache copy was dropped; the store's copy is intact\)/);
  const attempt = await store.readAttempt('s3tamper', id, 'tamper', '0', 1);
  expect(attempt?.inputProblems).toEqual([{ path: 'data.txt', hash: expect.any(String), changed: 'content', repair: 'local cache copy dropped' }]);
  expect((await store.objects.getBytes(attempt!.inputProblems![0].hash)).toString()).toBe('original\n');

  // The next run reuses make (its bucket copy is intact) and stages a fresh download.
  await writeFile(path.join(dir, 'flow.yaml'), flow('cat data.txt'));
  const again = await cli(['run', 'flow.yaml', '--datastore', URL]);
  expect(again.exitCode).toBe(0);
  const check = await store.readTask('s3tamper', runIdFrom(again), 'check', '0');
  expect((await store.objects.getBytes(check!.outputs[0].hash)).toString()).toBe('original\n');
}, 120_000);

test('a link a task puts where a log file might be is not followed (nor uploaded); logs live outside the task\'s slot', async () => {
  const secret = path.join(dir, 'secret.txt');
  await writeFile(secret, 'do not upload me\n');
  await writeFile(path.join(dir, 'flow.yaml'), `
version: 1
name: s3logs
steps:
  sneaky: { run: echo hello && ln -sf ${JSON.stringify(secret)} ../stdout }
`);
  const r = await cli(['run', 'flow.yaml', '--datastore', URL]);
  expect(r.exitCode).toBe(0);
  const store = await freshStore(URL, s3.endpoint, dir);
  const log = await store.kv.get(`flows/s3logs/runs/${runIdFrom(r)}/steps/sneaky/tasks/0/attempts/1/stdout`);
  expect(log).toBe('hello\n');
  expect(await readdir(path.join(dir, 'cache', 'scratch', 'tasks')).catch(() => [])).toEqual([]);
}, 120_000);
