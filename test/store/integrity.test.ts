/**
 * Verify before use (DESIGN §4): damaged bytes in the local store are never staged or read,
 * are moved to quarantine/, and a good copy put again replaces them. The check is by stat
 * (verified-stat.ts), so what damages an object here is what damages one for real: a write.
 */
import { chmodSync, openSync, closeSync, readSync, writeSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../../src/store/hash.js';
import { keys } from '../../src/store/records.js';
import { VERIFIED_MTIME_S } from '../../src/store/verified-stat.js';
import { tempStore } from './helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const objPath = (hash: string) => join(t.backend.objects.location, keys.object(hash));

/** Flip one byte of a file in place, as a stray write (or a task through a hard link) would. */
function flipByte(path: string, at = 0): void {
  chmodSync(path, 0o644);
  const fd = openSync(path, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] ^= 0x01;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
  chmodSync(path, 0o444);
}

async function quarantined(): Promise<string[]> {
  return readdir(join(t.backend.objects.location, 'quarantine')).catch(() => []);
}

test('objects are written read-only with the verified mtime', async () => {
  const a = await t.backend.objects.putBytes('bytes');
  await writeFile(join(t.dir, 'big'), Buffer.alloc(2 * 1024 * 1024, 7));
  const b = await t.backend.objects.putFile(join(t.dir, 'big'), { move: true });
  for (const h of [a.hash, b.hash]) {
    const st = await stat(objPath(h));
    expect(st.mode & 0o777).toBe(0o444);
    expect(st.mtimeMs).toBe(VERIFIED_MTIME_S * 1000);
  }
});

test('a damaged object is never staged: STORE_CORRUPT names it, and it goes to quarantine/', async () => {
  const info = await t.backend.objects.putBytes('the right bytes\n');
  flipByte(objPath(info.hash), 4);
  const dest = join(t.dir, 'task', 'input.txt');
  const err = await t.backend.objects.materialize(info.hash, dest).catch((e) => e);
  expect(err).toMatchObject({ code: 'STORE_CORRUPT', exitCode: 1 });
  expect(err.message).toContain(keys.object(info.hash));
  expect(err.hint).toMatch(/quarantine/);
  await expect(stat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
  // Out of objects/: nothing hands it on, and a lookup says it is not there.
  await expect(stat(objPath(info.hash))).rejects.toMatchObject({ code: 'ENOENT' });
  expect(await t.backend.objects.has(info.hash)).toBe(false);
  const q = await quarantined();
  expect(q).toEqual([expect.stringMatching(new RegExp(`^${info.hash}\\.`))]);
  expect(await readFile(join(t.backend.objects.location, 'quarantine', q[0]), 'utf8')).not.toBe('the right bytes\n');
});

test('a damaged object is never read: getObjectBytes is STORE_CORRUPT and quarantines it', async () => {
  const info = await t.backend.objects.putBytes('abc');
  flipByte(objPath(info.hash));
  await expect(t.backend.objects.getBytes(info.hash)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  expect(await quarantined()).toHaveLength(1);
  await expect(t.backend.objects.getBytes(info.hash)).rejects.toMatchObject({ code: 'STORE_MISSING_OBJECT' });
});

test('putting the same content again replaces a damaged copy, whichever way it is put', async () => {
  const content = 'model weights\n';
  const hash = sha256(content);
  const put = {
    bytes: () => t.backend.objects.putBytes(content),
    copy: async () => {
      await writeFile(join(t.dir, 'src.txt'), content);
      return t.backend.objects.putFile(join(t.dir, 'src.txt'));
    },
    move: async () => {
      await writeFile(join(t.dir, 'out.txt'), content);
      return t.backend.objects.putFile(join(t.dir, 'out.txt'), { move: true });
    },
  };
  await put.bytes();
  for (const how of Object.values(put)) {
    flipByte(objPath(hash), 2);
    expect((await how()).hash).toBe(hash);
    expect(await readFile(objPath(hash), 'utf8')).toBe(content);
    expect((await stat(objPath(hash))).mtimeMs).toBe(VERIFIED_MTIME_S * 1000);
  }
});

test('a big object damaged by a write that keeps its size is re-hashed and caught, not trusted for its size', async () => {
  await writeFile(join(t.dir, 'big.bin'), Buffer.alloc(3 * 1024 * 1024, 1));
  const info = await t.backend.objects.putFile(join(t.dir, 'big.bin'), { move: true });
  flipByte(objPath(info.hash), 2 * 1024 * 1024);
  expect(await t.backend.objects.verify(info.hash, { size: info.size })).toBe('damaged');
  expect(await t.backend.objects.has(info.hash)).toBe(false);
});

test('an object whose mode or mtime changed but whose content is intact is repaired, not quarantined', async () => {
  const info = await t.backend.objects.putBytes('still fine');
  await chmod(objPath(info.hash), 0o644);
  expect(await t.backend.objects.verify(info.hash)).toBe('repaired');
  expect((await stat(objPath(info.hash))).mode & 0o777).toBe(0o444);
  // Objects of a store written before the check (any mtime) are hashed once, then trusted by stat.
  await utimes(objPath(info.hash), new Date(), new Date());
  await t.backend.objects.materialize(info.hash, join(t.dir, 'staged.txt'));
  expect((await stat(objPath(info.hash))).mtimeMs).toBe(VERIFIED_MTIME_S * 1000);
  expect(await t.backend.objects.verify(info.hash)).toBe('intact');
  expect(await quarantined()).toEqual([]);
});

test('an object whose size is not what the manifest says is re-hashed before staging', async () => {
  const info = await t.backend.objects.putBytes('0123456789');
  // Same bytes, wrong expectation: the hash decides, and it is right.
  await t.backend.objects.materialize(info.hash, join(t.dir, 'a'), { size: 3 });
  expect(await readFile(join(t.dir, 'a'), 'utf8')).toBe('0123456789');
});

test('a directory output with a damaged file is not counted as present (a cache entry pointing at it is a miss)', async () => {
  const task = join(t.backend.objects.scratchDir(), 'task');
  await mkdir(join(task, 'model'), { recursive: true });
  await writeFile(join(task, 'model', 'a.bin'), 'A');
  await writeFile(join(task, 'model', 'b.bin'), 'B');
  const entry = await t.store.putOutput(task, 'model', { move: true });
  expect(await t.store.useOutputs([entry])).toBe(true);
  flipByte(objPath(sha256('B')));
  expect(await t.store.useOutputs([entry])).toBe(false);
  // Staging it downstream is refused rather than linking the bad file.
  await expect(t.store.stageOutput(entry, join(t.dir, 'next', 'model'))).rejects.toMatchObject({ code: 'STORE_MISSING_OBJECT' });
});
