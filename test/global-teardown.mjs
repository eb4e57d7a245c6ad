/**
 * jest globalTeardown: fail the suite when anything is left in its temp directory (a test that
 * did not remove what it made, or flowctl leaving files behind), then remove it anyway.
 */
import { chmod, lstat, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

export default async function globalTeardown() {
  const root = process.env.FLOWCTL_TEST_TMPDIR;
  if (!root) return;
  const left = await readdir(root).catch(() => []);
  await writable(root);
  await rm(root, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`the tests left ${left.length} temp entr${left.length === 1 ? 'y' : 'ies'} behind: ${left.sort().join(', ')} ` +
      '(make temp dirs with tempDir() from test/helpers/tmp.ts)');
  }
}

/** Stores hold read-only directories; make them removable. */
async function writable(p) {
  const st = await lstat(p).catch(() => undefined);
  if (!st?.isDirectory()) return;
  if ((st.mode & 0o700) !== 0o700) await chmod(p, (st.mode & 0o777) | 0o700);
  for (const name of await readdir(p).catch(() => [])) await writable(path.join(p, name));
}
