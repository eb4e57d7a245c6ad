import { chmod, mkdir, readFile, realpath, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { openFsPorts } from '../../src/store/fs-store.js';
import { keys } from '../../src/store/records.js';
import { Store } from '../../src/store/store.js';
import { tempDir } from './helpers.js';

let t: Awaited<ReturnType<typeof tempDir>>;
let project: string;
let store: Store;
beforeEach(async () => {
  t = await tempDir();
  project = join(t.dir, 'project');
  store = new Store(await openFsPorts(join(project, '.flowctl')));
});
afterEach(async () => {
  await t.cleanup();
});

/** Write files with mtimes an hour old: the stat cache does not trust just-written files. */
async function write(files: Record<string, string>, old = true): Promise<void> {
  const past = new Date(Date.now() - 3_600_000);
  for (const [p, body] of Object.entries(files)) {
    await mkdir(dirname(join(project, p)), { recursive: true });
    await writeFile(join(project, p), body);
    if (old) await utimes(join(project, p), past, past);
  }
}

test('snapshots the project minus ignored paths, and materializes it read-only', async () => {
  await write({
    'flows/train.yaml': 'version: 1',
    'scripts/fit.mjs': 'console.log(1)',
    'scripts/run.sh': '#!/bin/sh\n',
    'data/raw.csv': 'a,b',
    'data/small.csv': 'x',
    'notes.log': 'log',
    'build/out.js': 'x',
    'src/build/keep.js': 'kept: /build is anchored',
    'node_modules/dep/index.js': 'x',
    'web/node_modules/dep/index.js': 'x',
    '.git/HEAD': 'ref',
    'pkg/.gitignore': '*.tmp\n',
    'pkg/a.tmp': 'x',
    'pkg/a.txt': 'x',
    'secret.env': 'TOKEN=1',
    '.gitignore': '*.log\n/build\ndata/*\n',
    '.flowctlignore': '# flowctl only\nsecret.env\n!data/small.csv\n',
  });
  await chmod(join(project, 'scripts/run.sh'), 0o755);
  await symlink('scripts/fit.mjs', join(project, 'fit-link.mjs'));
  await symlink('scripts', join(project, 'scripts-link'));

  const snap = await store.snapshotCode(project);
  expect(snap.files.map((f) => f.path)).toEqual([
    '.flowctlignore', '.gitignore', 'data/small.csv', 'fit-link.mjs', 'pkg/.gitignore', 'pkg/a.txt',
    'scripts/fit.mjs', 'scripts/run.sh', 'src/build/keep.js', 'flows/train.yaml',
  ].sort());
  expect(snap.skipped).toEqual(['scripts-link']);
  expect(snap.files.find((f) => f.path === 'scripts/run.sh')?.mode).toBe(0o755);
  expect(snap.files.find((f) => f.path === 'scripts/fit.mjs')?.mode).toBe(0o644);
  expect(await store.kv.get(keys.code(snap.hash))).toBeDefined();
  expect((await store.readCodeManifest(snap.hash)).files).toEqual(snap.files);

  const dest = join(t.dir, 'task');
  await store.materializeCode(snap.hash, dest);
  expect(await readFile(join(dest, 'scripts/fit.mjs'), 'utf8')).toBe('console.log(1)');
  expect(await readFile(join(dest, 'fit-link.mjs'), 'utf8')).toBe('console.log(1)');
  expect((await stat(join(dest, 'scripts/fit.mjs'))).mode & 0o777).toBe(0o444);
  expect((await stat(join(dest, 'scripts/run.sh'))).mode & 0o777).toBe(0o555);
  // The user's files were copied, not taken: still there, still writable.
  expect((await stat(join(project, 'scripts/fit.mjs'))).mode & 0o200).toBe(0o200);
  expect((await stat(join(project, 'scripts/fit.mjs'))).ino).not.toBe((await stat(join(dest, 'scripts/fit.mjs'))).ino);
});

test('the exclude option removes more paths', async () => {
  await write({ 'a.txt': 'a', 'big/data.bin': 'b' });
  const snap = await store.snapshotCode(project, { exclude: (p) => p === 'big' });
  expect(snap.files.map((f) => f.path)).toEqual(['a.txt']);
});

test('a re-snapshot of an unchanged tree reads no file; a changed file is hashed again', async () => {
  await write({ 'a.txt': 'a', 'b/c.txt': 'c', 'b/d.txt': 'd' });
  const first = await store.snapshotCode(project);
  expect(first.rehashed).toBe(3);
  const second = await store.snapshotCode(project);
  expect(second.rehashed).toBe(0);
  expect(second.hash).toBe(first.hash);
  expect(JSON.parse((await store.kv.get('cache/code-stat.json'))!).files[join(await realpath(project), 'a.txt')]).toMatchObject({ size: 1 });

  await write({ 'b/c.txt': 'C' }); // same size, new content and times
  const third = await store.snapshotCode(project);
  expect(third.rehashed).toBe(1);
  expect(third.hash).not.toBe(first.hash);
});

test('files written just now are hashed every time (racy mtime), never trusted from the cache', async () => {
  await write({ 'fresh.txt': 'x' }, false);
  await store.snapshotCode(project);
  expect((await store.snapshotCode(project)).rehashed).toBe(1);
});

test('a store directory inside the project is never snapshotted', async () => {
  await write({ 'a.txt': 'a' });
  const custom = new Store(await openFsPorts(join(project, 'my-store')));
  await custom.kv.put('flows/f/runs/r/run.json', '{}');
  const snap = await custom.snapshotCode(project);
  expect(snap.files.map((f) => f.path)).toEqual(['a.txt']);
});

test('a cached hash whose object is gone from the store is not trusted', async () => {
  await write({ 'a.txt': 'a' });
  const first = await store.snapshotCode(project);
  const obj = store.kv.inPlacePath(keys.object(first.files[0].hash))!;
  await rm(obj);
  const second = await store.snapshotCode(project);
  expect(second.rehashed).toBe(1);
  expect((await store.objects.getBytes(first.files[0].hash)).toString()).toBe('a');
});

test('a cached hash whose object was damaged is not trusted: the damaged copy is quarantined and the file copied in again', async () => {
  await write({ 'a.txt': 'original' });
  const first = await store.snapshotCode(project);
  const obj = store.kv.inPlacePath(keys.object(first.files[0].hash))!;
  await chmod(obj, 0o644);
  await writeFile(obj, 'damaged!');
  await chmod(obj, 0o444);
  const second = await store.snapshotCode(project);
  expect(second.hash).toBe(first.hash);
  expect(second.rehashed).toBe(1);
  expect(await readFile(obj, 'utf8')).toBe('original');
});

test('a damaged code manifest is written again by the next snapshot', async () => {
  await write({ 'a.txt': 'a' });
  const first = await store.snapshotCode(project);
  const manifest = store.kv.inPlacePath(keys.code(first.hash))!;
  await writeFile(manifest, '{"files":[]}');
  await expect(store.readCodeManifest(first.hash)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  await store.snapshotCode(project);
  expect((await store.readCodeManifest(first.hash)).files.map((f) => f.path)).toEqual(['a.txt']);
});
