/**
 * Scratch directories for attempts, reused within a run.
 *
 * Every attempt needs a fresh, empty task directory. Creating one and deleting it afterwards
 * is cheap on tmpfs but not on every disk: on ext4 mounted with `discard` (common on cloud
 * VMs, and this project's CI machine) each deleted directory block is trimmed at the next
 * journal commit, which stalls every other metadata operation; a 1,000-task fan-out spent
 * more time there than running its tasks. So a finished attempt's directory is emptied and
 * handed to the next attempt: a task that leaves nothing behind costs no create and no
 * delete at all. About `--max-workers` directories exist (a few more while littered ones are
 * being emptied); the run removes them at its end.
 */
import { readdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { removeTree } from '../store/fs-util.js';

export interface Scratch {
  /** The slot: holds `work/` and the attempt's private files (values, logs when remote). */
  dir: string;
  /** The task directory: the command's working directory. */
  work: string;
}

export class ScratchPool {
  private readonly free: string[] = [];
  private readonly pending = new Set<Promise<void>>();
  private created = 0;

  /** @param root `…/tmp/tasks/<run-id>`: this run's own directory. */
  constructor(private readonly root: string) {}

  /** An empty scratch slot; `work` may not exist yet (the caller makes it, inside its error handling). */
  acquire(): Scratch {
    const dir = this.free.pop() ?? path.join(this.root, `slot-${this.created++}`);
    return { dir, work: path.join(dir, 'work') };
  }

  /**
   * Give a slot back once its attempt is over. It is emptied in the background (the next task
   * need not wait); `keepAs` instead renames it (kept for debugging) and never reuses it.
   */
  release(s: Scratch, keepAs?: string): void {
    const p = (keepAs ? this.keep(s, keepAs) : this.recycle(s))
      .catch(() => {}) // an unusable slot is simply not reused; the run removes it at the end
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves once every release has finished. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private async keep(s: Scratch, name: string): Promise<void> {
    await rename(s.dir, path.join(this.root, name));
  }

  private async recycle(s: Scratch): Promise<void> {
    // Synchronous listings: one small directory each, and usually empty.
    for (const name of readdirSync(s.dir)) {
      if (name === 'work') continue;
      await removeEntry(path.join(s.dir, name));
    }
    for (const name of readdirSync(s.work)) await removeEntry(path.join(s.work, name));
    this.free.push(s.dir);
  }
}

/** rm -rf; staged directories are read-only (0555), which stops a non-root user, so fall back to making them writable first. */
export async function removeEntry(p: string): Promise<void> {
  try {
    await rm(p, { recursive: true, force: true });
  } catch {
    await removeTree(p);
  }
}
