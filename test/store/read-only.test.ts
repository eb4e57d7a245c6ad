/**
 * A store opened read-only (dry runs, fsck without --repair): reads work, nothing is written.
 * A stat that changed is not reset, a damaged object is not quarantined, touch() marks nothing
 * as used, and every write through either port throws instead of changing the store.
 */
import { existsSync } from 'node:fs';
import { chmod, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openStore } from '../../src/store/open.js';
import { keys } from '../../src/store/records.js';
import { tempStore } from './helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

test('checks repair nothing, touch marks nothing, and every write throws', async () => {
  const root = t.backend.objects.location;
  const good = await t.backend.objects.putBytes('good bytes\n');
  const bad = await t.backend.objects.putBytes('bad bytes\n');
  await t.backend.kv.put('runs/x', 'flow\n');
  const goodPath = join(root, keys.object(good.hash));
  const badPath = join(root, keys.object(bad.hash));
  const old = new Date('2020-01-01T00:00:00Z');
  await utimes(goodPath, old, new Date()); // same bytes, a stat a real check would reset
  await chmod(badPath, 0o644);
  await writeFile(badPath, 'other bytes\n');
  const before = await Promise.all([goodPath, badPath].map((p) => stat(p)));

  const ro = await openStore({ datastore: root, cwd: t.dir, readOnly: true });
  expect(await ro.objects.verify(good.hash)).toBe('repaired');
  expect(await ro.objects.touch(good.hash)).toBe(true);
  expect((await ro.readObject(good.hash)).toString()).toBe('good bytes\n');
  expect(await ro.objects.verify(bad.hash)).toBe('damaged');
  await expect(ro.readObject(bad.hash)).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
  expect(await ro.maintenance.readKey('runs/x')).toBe('flow\n');

  const after = await Promise.all([goodPath, badPath].map((p) => stat(p)));
  expect(after.map((s) => [s.mtimeMs, s.atimeMs, s.mode, s.ino])).toEqual(before.map((s) => [s.mtimeMs, s.atimeMs, s.mode, s.ino]));
  expect(existsSync(join(root, 'quarantine'))).toBe(false);

  for (const write of [
    () => ro.objects.putBytes('new'), () => ro.objects.quarantine(bad.hash), () => ro.objects.delete(good.hash),
    () => ro.kv.put('runs/y', 'x'), () => ro.kv.append('runs/x', 'more'), () => ro.kv.createExclusive('runs/z', 'x'), () => ro.kv.delete('runs/x'),
  ]) {
    expect(write).toThrow(/read-only/);
  }
  expect(await readdir(join(root, 'runs'))).toEqual(['x']);
});

test('a read-only open of a store that does not exist yet (a first dry run) creates nothing', async () => {
  const dir = join(t.dir, 'not-yet');
  const ro = await openStore({ datastore: dir, cwd: t.dir, create: true, readOnly: true });
  expect(await ro.exists()).toBe(false);
  expect(await ro.listFlows()).toEqual([]);
  expect(existsSync(dir)).toBe(false);
});
