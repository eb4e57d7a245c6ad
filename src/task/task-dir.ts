/**
 * Builds a task directory: the run's code snapshot linked in read-only, then every upstream
 * output linked at the path the task expects. Nothing is copied: links only, each object
 * checked before it is linked (a damaged one is never staged).
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { AttemptSpec } from '../store/records.js';
import type { CodeFile } from '../store/manifest.js';
import type { CodeSnapshot, Store } from '../store/store.js';
import { stagedFiles, type StagedFile } from './staged-files.js';

export interface PrepareOptions {
  /** Code files already in place and intact (a recycled directory): not linked again. */
  present?: { has(path: string): boolean };
  /** Told which code files were linked, before any input is staged over them. */
  onCodeLinked?: (files: CodeFile[]) => void;
}

/** Returns the inputs staged as hard links to store objects (what to check after the attempt). */
export async function prepareTaskDir(
  store: Store, code: Pick<CodeSnapshot, 'files'>, workDir: string, inputs: AttemptSpec['inputs'], opts: PrepareOptions = {},
): Promise<StagedFile[]> {
  // Synchronous: a few directory entries, on every task's critical path (see fs-keys SYNC_WRITE_MAX).
  mkdirSync(workDir, { recursive: true });
  const present = opts.present;
  const missing = present ? code.files.filter((f) => !present.has(f.path)) : code.files;
  await store.materializeCode({ files: missing }, workDir);
  opts.onCodeLinked?.(missing);
  const staged: StagedFile[] = [];
  for (const { path: rel, entry } of inputs) {
    const dest = path.join(workDir, rel);
    if (!dest.startsWith(workDir + path.sep)) throw new Error(`input path escapes the task directory: ${rel}`);
    // An input shadows a project file of the same name; the link is replaced, the store is untouched.
    // (No task has run here since the slot was cleaned, so nothing on this path is a task's link.)
    await rm(dest, { recursive: true, force: true });
    staged.push(...stagedFiles(workDir, await store.stageOutput(entry, dest)));
  }
  return staged;
}
