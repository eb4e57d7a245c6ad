/**
 * The S3 backend keeps the port's contract (the behaviours test/store/fs-backend.test.ts
 * proves for the local backend), against two real S3 protocol servers (s3rver and moto).
 * Not repeated here: "concurrent writers of one key never tear it" is S3's own guarantee
 * (a PUT is atomic).
 */
import { chmod, link, mkdir, open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { openStore } from '../../src/store/open.js';
import { keys } from '../../src/store/records.js';
import { sha256 } from '../../src/store/hash.js';
import { startFaultProxy } from './fault-proxy.js';
import { s3Backend, type TestBackend } from './helpers.js';
import { S3_SERVERS, type TestS3 } from './servers.js';

describe.each(S3_SERVERS)('%s', (_, server) => {
  let s3: TestS3;
  let t: TestBackend;
  beforeAll(async () => {
    s3 = await server.start();
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

  const cachePath = (hash: string) => t.backend.objects.cache.path(hash);
  /** Write raw bytes at a store key behind flowctl's back. */
  const rawPut = (key: string, body: string) =>
    t.backend.objects.bucket.client.send(new PutObjectCommand({ Bucket: 'bucket', Key: t.backend.objects.bucket.key(key), Body: body }));

  describe('objects', () => {
    test('identical content is stored once, at objects/sha256/<2 hex>/<hash>', async () => {
      await writeFile(join(t.dir, 'a'), 'same bytes');
      await writeFile(join(t.dir, 'b'), 'same bytes');
      const a = await t.backend.objects.putFile(join(t.dir, 'a'));
      const b = await t.backend.objects.putFile(join(t.dir, 'b'));
      const c = await t.backend.objects.putBytes('same bytes');
      expect(a).toEqual({ hash: sha256('same bytes'), size: 10 });
      expect(b).toEqual(a);
      expect(c).toEqual(a);
      expect(await t.backend.kv.list(`objects/sha256/${a.hash.slice(0, 2)}`)).toEqual([a.hash]);
      expect(await t.backend.objects.has(a.hash)).toBe(true);
      expect(await (await t.fresh()).objects.has(a.hash)).toBe(true);
      expect(await t.backend.objects.has(sha256('other'))).toBe(false);
      // Copy, not move: the sources are untouched.
      expect(await readFile(join(t.dir, 'a'), 'utf8')).toBe('same bytes');
    });

    test('put with move takes the file itself into the local cache (no copy) and uploads it', async () => {
      const dir = join(t.backend.objects.scratchDir(), 'task-move');
      await mkdir(dir, { recursive: true });
      const src = join(dir, 'out.bin');
      await writeFile(src, Buffer.alloc(3 * 1024 * 1024, 7));
      const ino = (await stat(src)).ino;
      const info = await t.backend.objects.putFile(src, { move: true });
      await expect(stat(src)).rejects.toMatchObject({ code: 'ENOENT' });
      const st = await stat(cachePath(info.hash));
      expect(st.ino).toBe(ino);
      expect(st.mode & 0o777).toBe(0o444);
      expect((await (await t.fresh()).objects.getBytes(info.hash)).equals(Buffer.alloc(3 * 1024 * 1024, 7))).toBe(true);
    });

    test('put with move of content already stored drops the source', async () => {
      const first = await t.backend.objects.putBytes('dup');
      const src = join(t.dir, 'dup.txt');
      await writeFile(src, 'dup');
      expect(await t.backend.objects.putFile(src, { move: true })).toEqual(first);
      await expect(stat(src)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('a source hardlinked elsewhere is copied, not adopted (the other path must not reach the cached object)', async () => {
      const src = join(t.dir, 'src.bin');
      await writeFile(src, Buffer.alloc(2 * 1024 * 1024, 1));
      await link(src, join(t.dir, 'other.bin'));
      const info = await t.backend.objects.putFile(src, { move: true });
      expect((await stat(cachePath(info.hash))).ino).not.toBe((await stat(join(t.dir, 'other.bin'))).ino);
      await expect(stat(src)).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('downloads verify the hash and name bucket and key when the object in S3 is corrupt', async () => {
      const { hash } = await t.backend.objects.putBytes('original content');
      await rawPut(keys.object(hash), 'tampered content');
      const other = await t.fresh();
      const expected = { code: 'STORE_CORRUPT', message: expect.stringContaining(`s3://bucket/${t.backend.objects.bucket.prefix}/${keys.object(hash)}`) };
      await expect(other.objects.getBytes(hash)).rejects.toMatchObject(expected);
      await expect(other.objects.materialize(hash, join(t.dir, 'x'))).rejects.toMatchObject(expected);
      // Nothing unverified reached the cache.
      await expect(stat(other.objects.cache.path(hash))).rejects.toMatchObject({ code: 'ENOENT' });
    });

    test('a corrupted cache file is detected on read, dropped and fetched again', async () => {
      const { hash } = await t.backend.objects.putBytes('cached content');
      const p = cachePath(hash);
      await chmod(p, 0o644);
      await writeFile(p, 'rotten');
      expect((await t.backend.objects.getBytes(hash)).toString()).toBe('cached content');
    });

    test('a missing object and a malformed hash are reported as such', async () => {
      await expect(t.backend.objects.getBytes('a'.repeat(64))).rejects.toMatchObject({ code: 'STORE_MISSING_OBJECT', message: expect.stringContaining('s3://bucket/') });
      await expect(t.backend.objects.getBytes('../../etc/passwd')).rejects.toMatchObject({ code: 'STORE_BAD_KEY' });
      await expect(t.backend.objects.materialize('b'.repeat(64), join(t.dir, 'x'))).rejects.toMatchObject({ code: 'STORE_MISSING_OBJECT' });
    });
  });

  describe('materializeObject', () => {
    test('downloads once into the cache, then hardlinks it read-only, creating parent dirs', async () => {
      const { hash } = await t.backend.objects.putBytes('model weights');
      const other = await t.fresh();
      const dest = join(other.objects.scratchDir(), 'task', 'deep', 'model.bin');
      await other.objects.materialize(hash, dest);
      const [a, b] = [await stat(dest), await stat(other.objects.cache.path(hash))];
      expect(a.ino).toBe(b.ino);
      expect(a.mode & 0o777).toBe(0o444);
      expect(await readFile(dest, 'utf8')).toBe('model weights');
      const again = join(other.objects.scratchDir(), 'task2', 'model.bin');
      await other.objects.materialize(hash, again);
      expect((await stat(again)).ino).toBe(b.ino);
    });

    test('a damaged cache copy is never staged: it is dropped and downloaded again (not an error)', async () => {
      const content = Buffer.alloc(2 * 1024 * 1024, 3);
      const { hash } = await t.backend.objects.putBytes(content);
      const p = cachePath(hash);
      // Damaged in place, as a task writing through its staged hard link would: same size, one byte.
      await chmod(p, 0o644);
      const fh = await open(p, 'r+');
      await fh.write(Buffer.from([9]), 0, 1, 1024);
      await fh.close();
      await chmod(p, 0o444);
      expect(await t.backend.objects.verify(hash, { size: content.length })).toBe('damaged');
      await writeFile(p, 'rotten too', { mode: 0o444 }).catch(() => undefined); // gone, or re-created damaged: either way
      const dest = join(t.backend.objects.scratchDir(), 'task', 'in.bin');
      await t.backend.objects.materialize(hash, dest, { size: content.length });
      expect((await readFile(dest)).equals(content)).toBe(true);
      expect((await stat(dest)).ino).toBe((await stat(p)).ino);
      expect(await t.backend.objects.verify(hash)).toBe('intact');
    });

    test('executables get a private 0555 copy', async () => {
      const { hash } = await t.backend.objects.putBytes('#!/bin/sh\necho hi\n');
      const dest = join(t.dir, 'run.sh');
      await t.backend.objects.materialize(hash, dest, { executable: true });
      expect((await stat(dest)).mode & 0o777).toBe(0o555);
      expect((await stat(dest)).ino).not.toBe((await stat(cachePath(hash))).ino);
    });

    test('refuses to overwrite an existing file with a clear error', async () => {
      const { hash } = await t.backend.objects.putBytes('x');
      await writeFile(join(t.dir, 'taken'), 'mine');
      await expect(t.backend.objects.materialize(hash, join(t.dir, 'taken'))).rejects.toMatchObject({ code: 'STAGE_CONFLICT' });
    });
  });

  test('openStore opens s3:// datastores with this backend', async () => {
    const store = await openStore({ cwd: t.dir, datastore: t.backend.objects.location, env: t.env });
    expect(store.objects.kind).toBe('s3');
    expect(store.location).toBe(t.backend.objects.location);
    expect(store.objects.scratchDir()).toBe(join(t.cacheDir, 'scratch'));
    const viaEnv = await openStore({ cwd: t.dir, env: { ...t.env, FLOWCTL_DATASTORE: t.backend.objects.location } });
    expect(viaEnv.location).toBe(t.backend.objects.location);
  });

  describe('metadata', () => {
    test('putText/getText/exists/list, undefined and [] when missing; no local paths', async () => {
      expect(await t.backend.kv.get('flows/f/runs/r/run.json')).toBeUndefined();
      expect(await t.backend.kv.list('flows/f/runs')).toEqual([]);
      await t.backend.kv.put('flows/f/runs/r2/run.json', '{"a":1}');
      await t.backend.kv.put('flows/f/runs/r10/run.json', '{"a":2}');
      await t.backend.kv.put('flows/f/runs/r1/run.json', '{}');
      await t.backend.kv.put('flows/f/runs/r1/Z', Buffer.from('bytes'));
      expect(await t.backend.kv.get('flows/f/runs/r2/run.json')).toBe('{"a":1}');
      expect(await t.backend.kv.get('flows/f/runs/r1/Z')).toBe('bytes');
      expect(await t.backend.kv.exists('flows/f/runs/r2/run.json')).toBe(true);
      expect(await t.backend.kv.exists('flows/f/runs/r2')).toBe(true); // a "directory", as locally
      expect(await t.backend.kv.exists('flows/f/runs/nope')).toBe(false);
      expect(await t.backend.kv.list('flows/f/runs')).toEqual(['r1', 'r10', 'r2']);
      expect(await t.backend.kv.list('flows/f/runs/r1')).toEqual(['Z', 'run.json']);
      expect(await t.backend.kv.list('')).toEqual(['flows']);
      expect(t.backend.kv.inPlacePath('flows/f')).toBeUndefined();
      expect(t.backend.objects.location).toBe(`s3://bucket/${t.backend.objects.bucket.prefix}`);
    });

    test('list pages through more than 1000 children', async () => {
      const names = Array.from({ length: 1005 }, (_, i) => `k${String(i).padStart(4, '0')}`);
      const { mapLimit } = await import('../../src/store/fs-util.js');
      await mapLimit(names, 32, (n) => t.backend.kv.put(`many/${n}`, n));
      expect(await t.backend.kv.list('many')).toEqual(names);
    }, 60_000);

    test('keys cannot escape the store root', async () => {
      for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/./b']) {
        await expect(t.backend.kv.put(bad, 'x')).rejects.toMatchObject({ code: 'STORE_BAD_KEY' });
        await expect(t.backend.kv.get(bad)).rejects.toMatchObject({ code: 'STORE_BAD_KEY' });
      }
    });

    test('appendText appends whole lines from concurrent writers', async () => {
      const key = 'flows/f/runs/r/events.ndjson';
      await Promise.all(Array.from({ length: 200 }, (_, i) => t.backend.kv.append(key, `${JSON.stringify({ i, pad: 'x'.repeat(100) })}\n`)));
      const lines = (await t.backend.kv.get(key))!.trimEnd().split('\n');
      expect(lines).toHaveLength(200);
      expect(new Set(lines.map((l) => JSON.parse(l).i)).size).toBe(200);
      expect(await (await t.fresh()).kv.get(key)).toBe(lines.join('\n') + '\n');
    });

    test('createExclusive claims a key once, with its content', async () => {
      expect(await t.backend.kv.createExclusive('runs/r1', 'flow-a')).toBe(true);
      expect(await t.backend.kv.createExclusive('runs/r1', 'flow-b')).toBe(false);
      expect(await (await t.fresh()).kv.createExclusive('runs/r1', 'flow-c')).toBe(false);
      expect(await t.backend.kv.get('runs/r1')).toBe('flow-a');
      const many = await Promise.all(Array.from({ length: 20 }, (_, i) => t.backend.kv.createExclusive(`runs/x${i}`, `f${i}`)));
      expect(many.every(Boolean)).toBe(true);
    });

    test('createExclusive is atomic where the server honours If-None-Match: one of 20 racing claims wins', async () => {
      // s3rver ignores the header: a proxy in front of it honours it, as S3 does.
      const proxy = server.conditionalPuts ? undefined : await startFaultProxy({ target: s3.port, rate: 0, conditionalPuts: true });
      try {
        const racer = await s3Backend(proxy?.endpoint ?? s3.endpoint);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => racer.backend.kv.createExclusive('runs/r1', `flow${i}`)));
        expect(results.filter(Boolean)).toHaveLength(1);
        expect(await racer.backend.kv.get('runs/r1')).toBe(`flow${results.indexOf(true)}`);
        await racer.cleanup();
      } finally {
        await proxy?.stop();
      }
    });

    test('putFile copies or moves a file into a key', async () => {
      await writeFile(join(t.dir, 'log'), 'line 1\n');
      await t.backend.kv.putFile('a/stdout', join(t.dir, 'log'));
      expect(await readFile(join(t.dir, 'log'), 'utf8')).toBe('line 1\n');
      await t.backend.kv.putFile('a/stderr', join(t.dir, 'log'), { move: true });
      await expect(stat(join(t.dir, 'log'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await t.backend.kv.get('a/stdout')).toBe('line 1\n');
      expect(await t.backend.kv.get('a/stderr')).toBe('line 1\n');
      await writeFile(join(t.dir, 'empty'), '');
      await t.backend.kv.putFile('a/empty', join(t.dir, 'empty'));
      expect(await t.backend.kv.get('a/empty')).toBe('');
    });
  });
});
