/**
 * `fsck --repair` quarantines through store.maintenance.quarantineObject: only an object that is
 * damaged when it is moved (a run may have put a good copy since fsck hashed it), never a good one.
 */
import { chmod, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { keys } from '../../src/store/records.js';
import { tempStore } from './helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

test('a good object stays; a damaged one goes to quarantine/', async () => {
  const root = t.backend.objects.location;
  const good = await t.backend.objects.putBytes('good\n');
  await t.store.maintenance.quarantineObject(good.hash);
  expect(await t.store.maintenance.rehashObject(good.hash)).toBe('intact');

  const path = join(root, keys.object(good.hash));
  await chmod(path, 0o644);
  await writeFile(path, 'bad\n');
  await t.store.maintenance.quarantineObject(good.hash);
  expect(await t.store.maintenance.rehashObject(good.hash)).toBe('missing');
  expect((await readdir(join(root, 'quarantine'))).map((n) => n.split('.')[0])).toEqual([good.hash]);
});
