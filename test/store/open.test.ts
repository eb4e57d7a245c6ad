import { mkdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findStoreDir, openStore } from '../../src/store/open.js';
import { tempDir } from './helpers.js';

let t: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  t = await tempDir();
  t.dir = await realpath(t.dir);
});
afterEach(async () => {
  await t.cleanup();
});

test('walks up from cwd to the nearest .flowctl directory', async () => {
  await mkdir(join(t.dir, 'proj', '.flowctl'), { recursive: true });
  await mkdir(join(t.dir, 'proj', 'flows', 'deep'), { recursive: true });
  const store = await openStore({ cwd: join(t.dir, 'proj', 'flows', 'deep'), projectRoot: join(t.dir, 'elsewhere'), env: {} });
  expect(store.location).toBe(join(t.dir, 'proj', '.flowctl'));
  expect(store.objects.kind).toBe('local');
  expect(await findStoreDir(join(t.dir, 'proj', 'flows'))).toBe(join(t.dir, 'proj', '.flowctl'));
});

test('one rule: above cwd, else above the project root, else (run only) a new ./.flowctl with a .gitignore', async () => {
  const cwd = join(t.dir, 'work');
  await mkdir(cwd);
  if (await findStoreDir(cwd)) return; // a .flowctl above the temp dir would win; nothing to test here
  await expect(openStore({ cwd, projectRoot: join(t.dir, 'proj'), env: {} })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
  const store = await openStore({ cwd, projectRoot: join(t.dir, 'proj'), env: {}, create: true });
  expect(store.location).toBe(join(cwd, '.flowctl'));
  expect((await stat(join(cwd, '.flowctl', 'tmp'))).isDirectory()).toBe(true);
  expect((await stat(join(cwd, '.flowctl', '.gitignore'))).isFile()).toBe(true);
  // from elsewhere, the store above the project root is found
  const other = join(t.dir, 'other');
  await mkdir(other);
  expect((await openStore({ cwd: other, projectRoot: join(cwd, 'flows'), env: {} })).location).toBe(join(cwd, '.flowctl'));
  await expect(openStore({ cwd: other, env: {} })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
});

test('--datastore beats FLOWCTL_DATASTORE beats walking up; relative to cwd', async () => {
  await mkdir(join(t.dir, '.flowctl'));
  const env = { FLOWCTL_DATASTORE: 'from-env' };
  expect((await openStore({ cwd: t.dir, datastore: 'from-flag', env, create: true })).location).toBe(join(t.dir, 'from-flag'));
  expect((await openStore({ cwd: t.dir, env, create: true })).location).toBe(join(t.dir, 'from-env'));
  expect((await openStore({ cwd: t.dir, datastore: join(t.dir, 'abs'), env: {}, create: true })).location).toBe(join(t.dir, 'abs'));
  expect((await openStore({ cwd: t.dir, datastore: `file://${join(t.dir, 'url')}`, env: {}, create: true })).location).toBe(join(t.dir, 'url'));
  // without create (every command but run), a named store that is not there is an error, not a new empty store
  await expect(openStore({ cwd: t.dir, datastore: 'missing', env: {} })).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
});

test('an existing directory used as datastore gets no .gitignore (it may be the project itself)', async () => {
  await mkdir(join(t.dir, 'existing'));
  await openStore({ cwd: t.dir, datastore: 'existing', env: {} });
  await expect(stat(join(t.dir, 'existing', '.gitignore'))).rejects.toMatchObject({ code: 'ENOENT' });
  expect((await stat(join(t.dir, 'existing', 'tmp'))).isDirectory()).toBe(true);
});

test('s3:// goes to the S3 backend (see test/s3), malformed S3 URLs and other schemes are refused', async () => {
  // Checked before any request is made; opening a real bucket is covered against s3rver in test/s3.
  await expect(openStore({ cwd: t.dir, datastore: 's3://b', env: {} })).rejects.toMatchObject({ code: 'STORE_BAD_LOCATION', exitCode: 2 });
  await expect(openStore({ cwd: t.dir, env: { FLOWCTL_DATASTORE: 's3://bucket/../x' } })).rejects.toMatchObject({ code: 'STORE_BAD_LOCATION' });
  await expect(openStore({ cwd: t.dir, datastore: 'gs://b', env: {} })).rejects.toMatchObject({ code: 'STORE_BAD_LOCATION' });
});
