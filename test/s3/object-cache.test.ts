/** The local cache of S3 objects: where it lives, how big it may grow, what it evicts. */
import { link, mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { removeTree } from '../../src/store/fs-util.js';
import { sha256 } from '../../src/store/hash.js';
import { cacheMaxBytes, cacheRoot, DEFAULT_CACHE_MAX_BYTES, ObjectCache } from '../../src/store/s3/object-cache.js';
import { tempDir } from '../helpers/tmp.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('flowctl-cache-');
});
afterEach(async () => {
  await removeTree(dir);
});

test('lives in FLOWCTL_CACHE_DIR, else $XDG_CACHE_HOME/flowctl, else ~/.cache/flowctl', () => {
  expect(cacheRoot({ FLOWCTL_CACHE_DIR: '/c', XDG_CACHE_HOME: '/x' })).toBe('/c');
  expect(cacheRoot({ XDG_CACHE_HOME: '/x' })).toBe('/x/flowctl');
  expect(cacheRoot({})).toBe(join(os.homedir(), '.cache', 'flowctl'));
});

test('FLOWCTL_CACHE_MAX_BYTES takes bytes or units; junk is a usage error', () => {
  expect(cacheMaxBytes({})).toBe(DEFAULT_CACHE_MAX_BYTES);
  expect(cacheMaxBytes({ FLOWCTL_CACHE_MAX_BYTES: '12345' })).toBe(12345);
  expect(cacheMaxBytes({ FLOWCTL_CACHE_MAX_BYTES: '500M' })).toBe(500 * 1024 ** 2);
  expect(cacheMaxBytes({ FLOWCTL_CACHE_MAX_BYTES: '1.5GiB' })).toBe(1.5 * 1024 ** 3);
  expect(cacheMaxBytes({ FLOWCTL_CACHE_MAX_BYTES: '2 gb' })).toBe(2 * 1024 ** 3);
  expect(() => cacheMaxBytes({ FLOWCTL_CACHE_MAX_BYTES: 'lots' })).toThrow(expect.objectContaining({ code: 'BAD_CACHE_SIZE', exitCode: 2 }));
});

async function put(cache: ObjectCache, content: string, ageMs = 0): Promise<string> {
  const info = { hash: sha256(content), size: Buffer.byteLength(content) };
  await cache.putBytes(info, content);
  if (ageMs) {
    const when = new Date(Date.now() - ageMs);
    await utimes(cache.path(info.hash), when, when);
  }
  return info.hash;
}

test('objects are read-only files under objects/sha256/<2 hex>/<hash>; lookup marks them used', async () => {
  const cache = await new ObjectCache(dir).init();
  const h = await put(cache, 'hello', 3_600_000);
  expect(cache.path(h)).toBe(join(dir, 'objects', 'sha256', h.slice(0, 2), h));
  expect((await stat(cache.path(h))).mode & 0o777).toBe(0o444);
  expect(await cache.lookup(sha256('nope'))).toBeUndefined();
  const before = (await stat(cache.path(h))).atimeMs;
  expect(await cache.lookup(h)).toBe(cache.path(h));
  expect((await stat(cache.path(h))).atimeMs).toBeGreaterThan(before + 3_000_000);
  expect(await readFile(cache.path(h), 'utf8')).toBe('hello');
});

test('over budget, the least recently used go first, recent ones stay, and staged hardlinks survive', async () => {
  const cache = await new ObjectCache(dir, 2500).init();
  const old = await put(cache, 'a'.repeat(1000), 3 * 3_600_000);
  const mid = await put(cache, 'b'.repeat(1000), 2 * 3_600_000);
  const staged = join(dir, 'scratch', 'task', 'in.txt');
  await mkdir(join(dir, 'scratch', 'task'), { recursive: true });
  await link(cache.path(old), staged);
  await cache.lookup(mid); // used just now: the most recent of the old ones
  const fresh = await put(cache, 'c'.repeat(1000)); // 3000 bytes > 2500: sweep
  await expect(stat(cache.path(old))).rejects.toMatchObject({ code: 'ENOENT' });
  expect(await cache.lookup(mid)).toBeDefined();
  expect(await cache.lookup(fresh)).toBeDefined();
  expect(await readFile(staged, 'utf8')).toBe('a'.repeat(1000));
});

test('a sweep never removes objects used in the last minute, even over budget', async () => {
  const cache = await new ObjectCache(dir, 100).init();
  const a = await put(cache, 'x'.repeat(300));
  const b = await put(cache, 'y'.repeat(300));
  expect(await cache.sweep()).toEqual({ files: 0, bytes: 0 });
  expect(await cache.lookup(a)).toBeDefined();
  expect(await cache.lookup(b)).toBeDefined();
  expect(await cache.sweep(Date.now() + 120_000)).toEqual({ files: 2, bytes: 600 });
});

test('adopting a temp file moves it in (same inode) and a duplicate adoption is harmless', async () => {
  const cache = await new ObjectCache(dir).init();
  const tmp = cache.tempPath('t');
  await writeFile(tmp, 'payload');
  const ino = (await stat(tmp)).ino;
  const info = { hash: sha256('payload'), size: 7 };
  await cache.adopt(tmp, info);
  expect((await stat(cache.path(info.hash))).ino).toBe(ino);
  const tmp2 = cache.tempPath('t');
  await writeFile(tmp2, 'payload');
  await cache.adopt(tmp2, info);
  expect(await readFile(cache.path(info.hash), 'utf8')).toBe('payload');
});
