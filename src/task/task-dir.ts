/**
 * Builds a task directory: the run's code snapshot linked in read-only, then every upstream
 * output linked at the path the task expects. Nothing is copied: links only.
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { AttemptSpec } from '../store/records.js';
import type { CodeSnapshot, Store } from '../store/store.js';

export interface PrepareOptions {
  /** Code files already in place and intact (a recycled directory): not linked again. */
  present?: { has(path: string): boolean };
  /** Told which code files were linked, before any input is staged over them. */
  onCodeLinked?: (paths: string[]) => void;
}

export async function prepareTaskDir(store: Store, code: Pick<CodeSnapshot, 'files'>, workDir: string, inputs: AttemptSpec['inputs'], opts: PrepareOptions = {}): Promise<void> {
  // Synchronous: a few directory entries, on every task's critical path (see fs-backend SYNC_WRITE_MAX).
  mkdirSync(workDir, { recursive: true });
  const present = opts.present;
  const missing = present ? code.files.filter((f) => !present.has(f.path)) : code.files;
  await store.materializeCode({ files: missing }, workDir);
  opts.onCodeLinked?.(missing.map((f) => f.path));
  for (const { path: rel, entry } of inputs) {
    const dest = path.join(workDir, rel);
    if (!dest.startsWith(workDir + path.sep)) throw new Error(`input path escapes the task directory: ${rel}`);
    // An input shadows a project file of the same name; the link is replaced, the store is untouched.
    await rm(dest, { recursive: true, force: true });
    await store.stageOutput(entry, dest);
  }
}
