import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { openFsPorts, type FsPorts } from '../../src/store/fs-store.js';
import { Store } from '../../src/store/store.js';
import { removeDir, tempDir as trackedTempDir } from '../helpers/tmp.js';

/** A fresh directory; `cleanup` also copes with the read-only (0555) dirs staging leaves. */
export async function tempDir(prefix = 'flowctl-store-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await trackedTempDir(prefix);
  return { dir, cleanup: () => removeDir(dir) };
}

/** A local store in a fresh directory: its two ports (`backend`) and the Store on them. */
export async function tempStore(): Promise<{ dir: string; backend: FsPorts; store: Store; cleanup: () => Promise<void> }> {
  const t = await tempDir();
  const backend = await openFsPorts(join(t.dir, '.flowctl'));
  return { ...t, backend, store: new Store(backend) };
}

/** Entries of the store's scratch dir that are the store's own temp files (task dirs are not). */
export async function leftoverTemps(backend: FsPorts): Promise<string[]> {
  return (await readdir(backend.objects.scratchDir())).filter((n) => n.startsWith('.'));
}
