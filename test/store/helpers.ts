import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FsBackend } from '../../src/store/fs-backend.js';
import { Store } from '../../src/store/store.js';
import { removeDir, tempDir as trackedTempDir } from '../helpers/tmp.js';

/** A fresh directory; `cleanup` also copes with the read-only (0555) dirs staging leaves. */
export async function tempDir(prefix = 'flowctl-store-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await trackedTempDir(prefix);
  return { dir, cleanup: () => removeDir(dir) };
}

export async function tempStore(): Promise<{ dir: string; backend: FsBackend; store: Store; cleanup: () => Promise<void> }> {
  const t = await tempDir();
  const backend = await new FsBackend(join(t.dir, '.flowctl')).init();
  return { ...t, backend, store: new Store(backend) };
}

/** Entries of the store's scratch dir that are the store's own temp files (task dirs are not). */
export async function leftoverTemps(backend: FsBackend): Promise<string[]> {
  return (await readdir(backend.scratchDir())).filter((n) => n.startsWith('.'));
}
