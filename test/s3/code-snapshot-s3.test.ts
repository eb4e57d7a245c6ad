/**
 * Code snapshots on an S3 store: a run with unchanged code must not ask the store about every
 * file (a request each against real S3), also on a machine that never uploaded them; hashing locally and finding the snapshot's manifest
 * is enough. Counted through a pass-through proxy in front of a real s3rver.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Store } from '../../src/store/store.js';
import { removeTree } from '../../src/store/fs-util.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { s3Backend, type TestBackend } from './helpers.js';
import { startS3rver, type TestS3 } from './s3rver.js';
import { tempDir } from '../helpers/tmp.js';

let s3: TestS3;
let proxy: FaultProxy;
let t: TestBackend;
let project: string;

beforeAll(async () => {
  s3 = await startS3rver();
  proxy = await startFaultProxy({ target: Number(new URL(s3.endpoint).port), rate: 0 });
  t = await s3Backend(proxy.endpoint);
  project = await tempDir('flowctl-s3code-');
  await mkdir(join(project, 'lib'));
  for (let i = 0; i < 30; i++) await writeFile(join(project, 'lib', `m${i}.mjs`), `export const n = ${i};\n`);
  await writeFile(join(project, 'flow.yaml'), 'version: 1\n');
});
afterAll(async () => {
  await t.cleanup();
  await removeTree(project);
  await proxy.stop();
  await s3.stop();
});

test('a machine whose cache is empty snapshots unchanged code with one request; a changed file is uploaded and found elsewhere', async () => {
  const store = new Store(t.backend);
  const first = await store.snapshotCode(project);
  expect(first.files).toHaveLength(31);

  // Another machine (or a CI job) with the same checkout and an empty local cache.
  const other = new Store(await t.fresh());
  let before = proxy.stats.requests;
  const second = await other.snapshotCode(project);
  expect(second.hash).toBe(first.hash);
  expect(second.files).toEqual(first.files);
  expect(proxy.stats.requests - before).toBe(1); // HEAD code/<hash>

  await writeFile(join(project, 'lib', 'm7.mjs'), 'export const n = "seven";\n');
  before = proxy.stats.requests;
  const third = await other.snapshotCode(project);
  expect(third.hash).not.toBe(first.hash);
  expect(proxy.stats.requests - before).toBeGreaterThan(2); // the changed object and the new manifest went up

  const elsewhere = new Store(await t.fresh());
  const manifest = await elsewhere.readCodeManifest(third.hash);
  const m7 = manifest.files.find((f) => f.path === 'lib/m7.mjs')!;
  expect((await elsewhere.objects.getBytes(m7.hash)).toString()).toBe('export const n = "seven";\n');
});
