/**
 * Builds a task directory: the run's code snapshot linked in read-only, then every upstream
 * output linked at the path the task expects. Nothing is copied: links only.
 */
import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { StageEntry } from '../runtime/graph-state.js';
import type { CodeSnapshot, Store } from '../store/store.js';

export async function prepareTaskDir(store: Store, code: CodeSnapshot, workDir: string, staging: StageEntry[]): Promise<void> {
  // Synchronous: a few directory entries, on every task's critical path (see fs-backend SYNC_WRITE_MAX).
  mkdirSync(workDir, { recursive: true });
  await store.materializeCode(code, workDir);
  for (const { rel, entry } of staging) {
    const dest = path.join(workDir, rel);
    if (!dest.startsWith(workDir + path.sep)) throw new Error(`input path escapes the task directory: ${rel}`);
    // An input shadows a project file of the same name; the link is replaced, the store is untouched.
    await rm(dest, { recursive: true, force: true });
    await store.stageOutput(entry, dest);
  }
}
