/**
 * Scratch directories for attempts, reused within a run.
 *
 * Every attempt needs a fresh task directory: the project's code linked in, nothing else.
 * Creating one and deleting it afterwards is cheap on tmpfs but not on every disk: on ext4
 * mounted with `discard` (common on cloud VMs, and this project's CI machine) each deleted
 * directory block is trimmed at the next journal commit, which stalls every other metadata
 * operation, and re-linking N code files costs N links and N unlinks per task. So a finished
 * attempt's directory is handed to the next attempt after removing what the task added or
 * changed: code links still pointing at the same inode with the same mode are kept (a hard
 * link to a read-only store object cannot have other content), everything else goes.
 * About `--max-workers` directories exist (a few more while littered ones are being
 * emptied); the run removes them at its end.
 */
import { lstatSync, readdirSync, realpathSync, type Stats } from 'node:fs';
import { rename, rm, unlink } from 'node:fs/promises';
import path from 'node:path';
import { removeTree } from '../store/fs-util.js';
import type { CodeFile } from '../store/manifest.js';
import type { StagedFile } from './staged-files.js';

export interface Scratch {
  /** The slot: holds `work/` and the attempt's private files (values, logs when remote). */
  readonly dir: string;
  /** The task directory: the command's working directory. */
  readonly work: string;
  /**
   * Code files (posix paths relative to `work`) linked into this slot, with their inode,
   * mode, size and mtime at that time. After a recycle it holds exactly the ones still intact.
   */
  readonly linked: Map<string, LinkedCode>;
  /** `work`'s real path once flowctl made it, before any task ran in it. */
  realWork?: string;
}

/** A code file in a slot: its fingerprint, and (when it is a hard link to the store object) what to check after each attempt. */
export interface LinkedCode {
  fp: string;
  staged?: StagedFile;
}

export class ScratchPool {
  private readonly free: Scratch[] = [];
  private readonly pending = new Set<Promise<void>>();
  private created = 0;

  /**
   * @param root `…/tmp/tasks/<run-id>`: this run's own directory.
   * @param prefix Names this pool's slots (`<prefix>-0`, …): pools of several executors share a run's directory.
   */
  constructor(private readonly root: string, private readonly prefix = 'slot') {}

  /** A clean slot; `work` may not exist yet (the caller makes it, inside its error handling). */
  acquire(): Scratch {
    const reused = this.free.pop();
    if (reused) return reused;
    const dir = path.join(this.root, `${this.prefix}-${this.created++}`);
    return { dir, work: path.join(dir, 'work'), linked: new Map() };
  }

  /**
   * Remember how the code files just linked into the slot look, to recognise them later (and
   * the slot's real path: flowctl made it and no task has run in it since).
   */
  codeLinked(s: Scratch, files: CodeFile[]): void {
    s.realWork ??= realpathSync(s.work);
    for (const f of files) {
      const st = lstatOrUndefined(path.join(s.work, f.path));
      if (!st?.isFile()) continue;
      // A hard link shares the store object's inode; an executable's private copy cannot reach the store.
      const linked = st.nlink > 1 && (f.mode & 0o111) === 0;
      s.linked.set(f.path, { fp: fingerprint(st), staged: linked ? { rel: f.path, hash: f.hash, size: f.size, ino: st.ino } : undefined });
    }
  }

  /** The code files of the slot that are hard links to store objects. */
  stagedCode(s: Scratch): StagedFile[] {
    const out: StagedFile[] = [];
    for (const c of s.linked.values()) if (c.staged) out.push(c.staged);
    return out;
  }

  /**
   * Whether the slot is still where flowctl made it: a task can replace its own directory (or
   * the slot around it) with a symlink, and nothing may then be read, moved or deleted through it.
   */
  intact(s: Scratch): boolean {
    if (s.realWork === undefined) return false;
    try {
      return lstatSync(s.dir).isDirectory() && lstatSync(s.work).isDirectory() && realpathSync(s.work) === s.realWork;
    } catch {
      return false;
    }
  }

  /**
   * Give a slot back once its attempt is over. It is cleaned in the background (the next task
   * need not wait); `keepAs` instead renames it (kept for debugging) and never reuses it.
   */
  release(s: Scratch, keepAs?: string): void {
    const p = (keepAs ? rename(s.dir, path.join(this.root, keepAs)) : this.recycle(s))
      .catch(() => {}) // an unusable slot is simply not reused; the run removes it at the end
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves once every release has finished. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private async recycle(s: Scratch): Promise<void> {
    if (!this.intact(s)) {
      // Never descend through a link a task put in place: remove the link itself, drop the slot.
      for (const p of [s.work, s.dir]) if (lstatOrUndefined(p)?.isSymbolicLink()) await unlink(p);
      return;
    }
    // Synchronous listings and lstats: small directories, microseconds each.
    for (const name of readdirSync(s.dir)) {
      if (name !== 'work') await removeEntry(path.join(s.dir, name));
    }
    const codeDirs = new Set<string>();
    for (const p of s.linked.keys()) for (let d = path.posix.dirname(p); d !== '.'; d = path.posix.dirname(d)) codeDirs.add(d);
    const intact = new Set<string>();
    const sweep = async (rel: string): Promise<void> => {
      const abs = path.join(s.work, rel);
      for (const name of readdirSync(abs)) {
        const r = rel ? `${rel}/${name}` : name;
        const st = lstatOrUndefined(path.join(abs, name));
        if (st?.isDirectory() && codeDirs.has(r)) await sweep(r);
        else if (st?.isFile() && s.linked.get(r)?.fp === fingerprint(st)) intact.add(r);
        else await removeEntry(path.join(abs, name));
      }
    };
    await sweep('');
    for (const p of s.linked.keys()) if (!intact.has(p)) s.linked.delete(p);
    this.free.push(s);
  }
}

/**
 * Same inode, mode, size and mtime: the same read-only content. (Not ctime: linking the same
 * store object into another task directory changes the shared inode's ctime.) Like the
 * read-only guard, this stops accidents, not a task that chmods, writes and resets mtime.
 */
function fingerprint(st: Stats): string {
  return `${st.dev}:${st.ino}:${st.mode}:${st.size}:${st.mtimeMs}`;
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** rm -rf; staged directories are read-only (0555), which stops a non-root user, so fall back to making them writable first. */
async function removeEntry(p: string): Promise<void> {
  try {
    await rm(p, { recursive: true, force: true });
  } catch {
    await removeTree(p);
  }
}
