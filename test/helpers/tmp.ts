/**
 * Temp directories for tests, removed after the test file's last test. Every test makes its
 * temp dirs here, so none is left behind; test/global-teardown.mjs fails the suite if
 * anything remains in the suite's temp dir (a test that bypassed this, or flowctl itself).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { removeTree } from '../../src/store/fs-util.js';

const made = new Set<string>();

// Registered when a test file first imports this module, so it runs after that file's tests.
afterAll(async () => {
  const dirs = [...made];
  made.clear();
  await Promise.all(dirs.map(removeDir));
});

/** A new directory under `base` (default: the temp dir), removed after the file's tests. */
export async function tempDir(prefix = 'flowctl-test-', base = os.tmpdir()): Promise<string> {
  const dir = await mkdtemp(path.join(base, prefix));
  made.add(dir);
  return dir;
}

export function tempDirSync(prefix = 'flowctl-test-', base = os.tmpdir()): string {
  const dir = mkdtempSync(path.join(base, prefix));
  made.add(dir);
  return dir;
}

/** Remove now, synchronously (and not again after the tests); for trees without read-only directories. */
export function removeDirSync(dir: string): void {
  made.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Remove now (and not again after the tests). */
export async function removeDir(dir: string): Promise<void> {
  made.delete(dir);
  // Stores hold read-only directories: without root, only removeTree (which makes them writable) can delete them.
  await rm(dir, { recursive: true, force: true }).catch(() => removeTree(dir));
}
