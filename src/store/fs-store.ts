/**
 * A local store: the §4 layout as plain files under one root (normally `<project>/.flowctl`).
 * Objects (fs-objects.ts) and keys (fs-keys.ts) share the root and its `tmp/` scratch
 * directory, so every write is a temp file renamed into place on one filesystem.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { FsKeyStore } from './fs-keys.js';
import { FsObjectStore } from './fs-objects.js';

export interface FsPorts {
  objects: FsObjectStore;
  kv: FsKeyStore;
}

/**
 * The two ports of the local store at `root` (absolute), its directories created. A root created
 * here gets a `.gitignore` that keeps the store out of the user's commits; an existing directory
 * (`--datastore .`?) is left alone. `readOnly` creates nothing and repairs nothing (wrap the
 * ports in readOnlyPorts to refuse writes).
 * @example const store = new Store(await openFsPorts('/abs/project/.flowctl'))
 */
export async function openFsPorts(root: string, opts: { readOnly?: boolean } = {}): Promise<FsPorts> {
  if (!isAbsolute(root)) throw new Error(`A local store root must be absolute, got ${root}`);
  const tmp = join(root, 'tmp');
  // Read-only (a dry run): nothing is created; a store that does not exist yet reads as empty.
  if (opts.readOnly) return { objects: new FsObjectStore(root, tmp, true), kv: new FsKeyStore(root, tmp) };
  const created = await mkdir(root, { recursive: true });
  await mkdir(tmp, { recursive: true });
  if (created) await writeFile(join(root, '.gitignore'), '*\n', { flag: 'wx' });
  return { objects: new FsObjectStore(root, tmp), kv: new FsKeyStore(root, tmp) };
}
