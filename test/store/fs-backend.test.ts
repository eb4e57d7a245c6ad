import { createHash, randomBytes } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { link, mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keys } from '../../src/store/records.js';
import { sha256 } from '../../src/store/hash.js';
import { leftoverTemps, tempDir, tempStore } from './helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const objPath = (hash: string) => join(t.backend.objects.location, keys.object(hash));

describe('objects', () => {
  test('identical content is stored once, at objects/sha256/<2 hex>/<hash>, read-only', async () => {
    await writeFile(join(t.dir, 'a'), 'same bytes');
    await writeFile(join(t.dir, 'b'), 'same bytes');
    const a = await t.backend.objects.putFile(join(t.dir, 'a'));
    const b = await t.backend.objects.putFile(join(t.dir, 'b'));
    const c = await t.backend.objects.putBytes('same bytes');
    expect(a).toEqual({ hash: sha256('same bytes'), size: 10 });
    expect(b).toEqual(a);
    expect(c).toEqual(a);
    expect(await readdir(join(t.backend.objects.location, 'objects/sha256', a.hash.slice(0, 2)))).toEqual([a.hash]);
    const st = await stat(objPath(a.hash));
    expect(st.mode & 0o777).toBe(0o444);
    expect(st.nlink).toBe(1);
    // Copy, not move: the sources are untouched.
    expect(await readFile(join(t.dir, 'a'), 'utf8')).toBe('same bytes');
    expect(await leftoverTemps(t.backend)).toEqual([]);
  });

  test('put with move takes the file itself: the object is the original inode, no second copy', async () => {
    const src = join(t.backend.objects.scratchDir(), 'task', 'out.bin');
    await mkdir(join(t.backend.objects.scratchDir(), 'task'));
    await writeFile(src, randomBytes(100_000));
    const ino = (await stat(src)).ino;
    const info = await t.backend.objects.putFile(src, { move: true });
    const st = await stat(objPath(info.hash));
    expect(st.ino).toBe(ino);
    expect(st.nlink).toBe(1);
    expect(st.mode & 0o777).toBe(0o444);
    await expect(stat(src)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await leftoverTemps(t.backend)).toEqual([]);
  });

  test('put with move of content already stored takes the source in its place: still one object', async () => {
    const first = await t.backend.objects.putBytes('dup');
    const src = join(t.dir, 'dup.txt');
    await writeFile(src, 'dup');
    const ino = (await stat(src)).ino;
    expect(await t.backend.objects.putFile(src, { move: true })).toEqual(first);
    await expect(stat(src)).rejects.toMatchObject({ code: 'ENOENT' });
    // The bytes just hashed replace the stored copy (whatever happened to it), in one rename.
    const st = await stat(objPath(first.hash));
    expect([st.ino, st.nlink, st.mode & 0o777]).toEqual([ino, 1, 0o444]);
    expect(await readdir(join(t.backend.objects.location, 'objects/sha256', first.hash.slice(0, 2)))).toEqual([first.hash]);
  });

  test('a source hardlinked elsewhere is copied, not adopted (the other path must not reach the object)', async () => {
    const src = join(t.dir, 'src.txt');
    await writeFile(src, 'shared inode');
    await link(src, join(t.dir, 'other.txt'));
    const info = await t.backend.objects.putFile(src, { move: true });
    expect((await stat(objPath(info.hash))).ino).not.toBe((await stat(join(t.dir, 'other.txt'))).ino);
    await expect(stat(src)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('an object left empty by a crash is replaced, not trusted', async () => {
    const hash = sha256('payload');
    await mkdir(join(t.backend.objects.location, 'objects/sha256', hash.slice(0, 2)), { recursive: true });
    await writeFile(objPath(hash), '');
    await t.backend.objects.putBytes('payload');
    expect((await t.backend.objects.getBytes(hash)).toString()).toBe('payload');
  });

  test('a 1 GiB output is stored with move as the same inode, hashed correctly', async () => {
    const dir = join(t.backend.objects.scratchDir(), 'big-task');
    await mkdir(dir);
    const src = join(dir, 'big.bin');
    const chunk = randomBytes(64 * 1024 * 1024);
    const expected = createHash('sha256');
    const fh = await open(src, 'w');
    for (let i = 0; i < 16; i++) {
      chunk.writeUInt32LE(i, 0); // every 64 MiB differs, so a chunk mix-up changes the hash
      await fh.write(chunk, 0, chunk.length);
      expected.update(chunk);
    }
    await fh.close();
    const ino = (await stat(src)).ino;
    const started = Date.now();
    const info = await t.backend.objects.putFile(src, { move: true });
    const ms = Date.now() - started;
    expect(info).toEqual({ hash: expected.digest('hex'), size: 1024 ** 3 });
    const st = await stat(objPath(info.hash));
    expect(st.ino).toBe(ino);
    expect(st.nlink).toBe(1);
    expect(ms).toBeLessThan(10_000);
    await rm(objPath(info.hash), { force: true });
  }, 60_000);

  test('getObjectBytes verifies the hash and names the key when it does not match', async () => {
    const { hash } = await t.backend.objects.putBytes('original content');
    chmodSync(objPath(hash), 0o644);
    await writeFile(objPath(hash), 'tampered content');
    await expect(t.backend.objects.getBytes(hash)).rejects.toMatchObject({
      code: 'STORE_CORRUPT',
      message: expect.stringContaining(keys.object(hash)),
    });
  });

  test('a missing object and a malformed hash are reported as such', async () => {
    await expect(t.backend.objects.getBytes('a'.repeat(64))).rejects.toMatchObject({ code: 'STORE_MISSING_OBJECT' });
    await expect(t.backend.objects.getBytes('../../etc/passwd')).rejects.toMatchObject({ code: 'STORE_BAD_KEY' });
    await expect(t.backend.objects.materialize('b'.repeat(64), join(t.dir, 'x'))).rejects.toMatchObject({ code: 'STORE_MISSING_OBJECT' });
  });
});

describe('materializeObject', () => {
  test('is a hardlink of the object (same inode), read-only, creating parent dirs', async () => {
    const { hash } = await t.backend.objects.putBytes('model weights');
    const dest = join(t.dir, 'task', 'deep', 'model.bin');
    await t.backend.objects.materialize(hash, dest);
    const [a, b] = [await stat(dest), await stat(objPath(hash))];
    expect(a.ino).toBe(b.ino);
    expect(a.mode & 0o777).toBe(0o444);
    expect(await readFile(dest, 'utf8')).toBe('model weights');
  });

  test('executables get a private 0555 copy (a link would share the object mode)', async () => {
    const { hash } = await t.backend.objects.putBytes('#!/bin/sh\necho hi\n');
    const dest = join(t.dir, 'run.sh');
    await t.backend.objects.materialize(hash, dest, { executable: true });
    expect((await stat(dest)).mode & 0o777).toBe(0o555);
    expect((await stat(dest)).ino).not.toBe((await stat(objPath(hash))).ino);
    expect((await stat(objPath(hash))).mode & 0o777).toBe(0o444);
  });

  test('falls back to a read-only copy across filesystems (EXDEV)', async () => {
    const other = await mkdtemp('/dev/shm/flowctl-store-');
    try {
      const { hash } = await t.backend.objects.putBytes('cross device');
      await t.backend.objects.materialize(hash, join(other, 'f'));
      expect(await readFile(join(other, 'f'), 'utf8')).toBe('cross device');
      expect((await stat(join(other, 'f'))).mode & 0o777).toBe(0o444);
      // And move from another filesystem: copied in, source removed.
      await writeFile(join(other, 'g'), 'from tmpfs');
      const info = await t.backend.objects.putFile(join(other, 'g'), { move: true });
      expect((await t.backend.objects.getBytes(info.hash)).toString()).toBe('from tmpfs');
      await expect(stat(join(other, 'g'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  test('refuses to overwrite an existing file with a clear error', async () => {
    const { hash } = await t.backend.objects.putBytes('x');
    await writeFile(join(t.dir, 'taken'), 'mine');
    await expect(t.backend.objects.materialize(hash, join(t.dir, 'taken'))).rejects.toMatchObject({ code: 'STAGE_CONFLICT' });
  });
});

describe('metadata', () => {
  test('putText/getText/exists/list, undefined and [] when missing', async () => {
    expect(await t.backend.kv.get('flows/f/runs/r/run.json')).toBeUndefined();
    expect(await t.backend.kv.list('flows/f/runs')).toEqual([]);
    await t.backend.kv.put('flows/f/runs/r2/run.json', '{"a":1}');
    await t.backend.kv.put('flows/f/runs/r10/run.json', '{"a":2}');
    await t.backend.kv.put('flows/f/runs/r1/run.json', '{}');
    expect(await t.backend.kv.get('flows/f/runs/r2/run.json')).toBe('{"a":1}');
    expect(await t.backend.kv.exists('flows/f/runs/r2/run.json')).toBe(true);
    expect(await t.backend.kv.exists('flows/f/runs/nope')).toBe(false);
    expect(await t.backend.kv.list('flows/f/runs')).toEqual(['r1', 'r10', 'r2']);
    expect(t.backend.kv.inPlacePath('flows/f')).toBe(join(t.backend.objects.location, 'flows/f'));
    expect(await leftoverTemps(t.backend)).toEqual([]);
  });

  test('keys cannot escape the store root', async () => {
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'a//b', 'a/./b']) {
      await expect(t.backend.kv.put(bad, 'x')).rejects.toMatchObject({ code: 'STORE_BAD_KEY' });
    }
  });

  test('concurrent writers of one key never produce a torn file, and leave no temp files', async () => {
    const key = 'flows/f/runs/r/run.json';
    const size = 256 * 1024;
    const bodies = Array.from({ length: 24 }, (_, i) => String.fromCharCode(65 + i).repeat(size));
    let reads = 0;
    let done = false;
    const reader = (async () => {
      while (!done) {
        const text = await t.backend.kv.get(key);
        if (text !== undefined) {
          reads++;
          expect(text.length).toBe(size);
          expect(text).toBe(text[0].repeat(size));
        }
      }
    })();
    for (let round = 0; round < 5; round++) await Promise.all(bodies.map((b) => t.backend.kv.put(key, b)));
    done = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
    expect(bodies).toContain(await t.backend.kv.get(key));
    expect(await leftoverTemps(t.backend)).toEqual([]);
  });

  test('appendText appends whole lines from concurrent writers', async () => {
    const key = 'flows/f/runs/r/events.ndjson';
    await Promise.all(Array.from({ length: 200 }, (_, i) => t.backend.kv.append(key, `${JSON.stringify({ i, pad: 'x'.repeat(100) })}\n`)));
    const lines = (await t.backend.kv.get(key))!.trimEnd().split('\n');
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => JSON.parse(l).i)).size).toBe(200);
  });

  test('createExclusive claims a key once, with its content', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => t.backend.kv.createExclusive('runs/r1', `flow${i}`)));
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await t.backend.kv.get('runs/r1')).toBe(`flow${results.indexOf(true)}`);
    expect(await leftoverTemps(t.backend)).toEqual([]);
  });

  test('putFile copies or moves a file into a key', async () => {
    const { dir, cleanup } = await tempDir();
    try {
      await writeFile(join(dir, 'log'), 'line 1\n');
      await t.backend.kv.putFile('a/stdout', join(dir, 'log'));
      expect(await readFile(join(dir, 'log'), 'utf8')).toBe('line 1\n');
      await t.backend.kv.putFile('a/stderr', join(dir, 'log'), { move: true });
      await expect(stat(join(dir, 'log'))).rejects.toMatchObject({ code: 'ENOENT' });
      expect(await t.backend.kv.get('a/stdout')).toBe('line 1\n');
      expect(await t.backend.kv.get('a/stderr')).toBe('line 1\n');
    } finally {
      await cleanup();
    }
  });
});
