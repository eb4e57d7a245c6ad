/**
 * Detect and repair what a task did to its staged files (DESIGN §2: nothing a task does to a
 * staged input may reach the store).
 *
 * Staged inputs and code are hard links to store objects (0444): fast, but they share the
 * object's inode, so a task that `chmod u+w`s one and writes to it writes to the store. Mode
 * bits stop accidents, not that. So every hard-linked file is remembered with its inode at
 * staging, and after the attempt the verified-stat check (store/verified-stat.ts) runs on each:
 * unchanged (one lstat) is the common case; a changed mode or mtime means a re-hash of the
 * object, which then has its stat reset when its content is still right, or is quarantined
 * when it is not (the store stops handing it on; the step that made it runs again next time).
 * The attempt record lists what was found, and a changed content fails the attempt.
 */
import path from 'node:path';
import type { LinkedObject } from '../store/outputs.js';
import { hashFile } from '../store/hash.js';
import type { InputProblem } from '../store/records.js';
import type { Store } from '../store/store.js';
import { looksVerified, lstatQuiet } from '../store/verified-stat.js';

/** A store object hard-linked into a task directory: the link's path (posix, relative to it), the object, the inode they share. */
export interface StagedFile {
  rel: string;
  hash: string;
  size: number;
  ino: number;
}

/**
 * The staged files among `linked` (just staged under workDir), with their inodes. A file that
 * is not a hard link (a private copy across filesystems) cannot reach the store and is left out.
 */
export function stagedFiles(workDir: string, linked: LinkedObject[]): StagedFile[] {
  const out: StagedFile[] = [];
  for (const l of linked) {
    const st = lstatQuiet(l.dest);
    if (st?.isFile() && st.nlink > 1) out.push({ rel: path.relative(workDir, l.dest).split(path.sep).join('/'), hash: l.hash, size: l.size, ino: st.ino });
  }
  return out;
}

/**
 * Check every staged file after an attempt; repairs as it goes (see the file comment).
 * Returns one problem per object the task changed, in staging order.
 */
export async function checkStagedFiles(
  store: Store, workDir: string, staged: Iterable<StagedFile>, opts: { linksReachable: boolean },
): Promise<InputProblem[]> {
  const problems: InputProblem[] = [];
  const reported = new Set<string>();
  for (const f of staged) {
    if (reported.has(f.hash)) continue;
    // A task directory replaced by a symlink is not looked into: only the store's side is checked.
    const link = opts.linksReachable ? lstatQuiet(path.join(workDir, f.rel)) : undefined;
    const ours = link?.ino === f.ino;
    if (ours && looksVerified(link!, f.size)) continue;
    const problem = await checkOne(store, workDir, f, ours);
    if (problem) {
      problems.push(problem);
      reported.add(f.hash);
    }
  }
  return problems;
}

async function checkOne(store: Store, workDir: string, f: StagedFile, linkIsOurs: boolean): Promise<InputProblem | undefined> {
  const obj = lstatQuiet(store.stagedObjectFile(f.hash));
  if (obj?.ino === f.ino) {
    // The store's copy is still the inode the task had: check it (and repair or quarantine it).
    if (!linkIsOurs && looksVerified(obj, f.size)) return undefined;
    const state = await store.checkStagedObject(f.hash, f.size);
    if (state === 'repaired') {
      return { path: f.rel, hash: f.hash, changed: 'metadata', repair: 'content intact; mode and mtime reset' };
    }
    if (state === 'damaged') {
      return { path: f.rel, hash: f.hash, changed: 'content', repair: store.damagedObjectsQuarantined ? 'object quarantined' : 'local cache copy dropped' };
    }
    return undefined;
  }
  // The store's copy was replaced or moved aside meanwhile (another task found it damaged, or
  // re-produced it): judge the inode this task had by its own link, if the task kept it.
  if (!linkIsOurs) return undefined;
  const actual = await hashFile(path.join(workDir, f.rel)).catch(() => undefined);
  if (!actual || actual.hash === f.hash) return undefined;
  return { path: f.rel, hash: f.hash, changed: 'content', repair: 'already out of the store' };
}

/**
 * The attempt's failure reason for inputs whose content changed, or undefined. A change to an
 * object only this attempt had staged is this task's doing; one that other attempts had staged
 * too (`sharedWith(hash)` names them) could be any of theirs, and the reason says so.
 */
export function inputDamageReason(problems: InputProblem[], quarantined: boolean, sharedWith: (hash: string) => string[] = () => []): string | undefined {
  const damaged = problems.filter((p) => p.changed === 'content');
  if (damaged.length === 0) return undefined;
  const others = new Map(damaged.map((p) => [p, sharedWith(p.hash)]));
  const alone = damaged.filter((p) => others.get(p)!.length === 0);
  const shared = damaged.filter((p) => others.get(p)!.length > 0);
  const repair = quarantined
    ? 'the damaged object was moved to the store\'s quarantine/, so nothing is handed it again and the step that produced it re-runs on the next run'
    : 'the damaged local cache copy was dropped; the store\'s copy is intact';
  const parts: string[] = [];
  if (alone.length > 0) {
    // Found already out of the store: another task sharing the object caught the change first, and may have made it.
    parts.push(alone.every((p) => p.repair === 'already out of the store')
      ? `its staged input${plural(alone)} ${names(alone)} changed in place during the attempt (possibly by another task sharing ${alone.length > 1 ? 'them' : 'it'}); what the task read cannot be trusted`
      : `modified its staged input${plural(alone)} ${names(alone)} in place (${repair})`);
  }
  if (shared.length > 0) {
    const tasks = [...new Set(shared.flatMap((p) => others.get(p)!))].sort();
    const shown = tasks.slice(0, 3).join(', ') + (tasks.length > 3 ? ` and ${tasks.length - 3} more` : '');
    const found = shared.every((p) => p.repair === 'already out of the store') ? 'what the task read cannot be trusted' : repair;
    parts.push(`its staged input${plural(shared)} ${names(shared)} changed in place while this attempt and ${shown} had ${shared.length > 1 ? 'them' : 'it'} staged ` +
      `(one of these tasks wrote to ${shared.length > 1 ? 'them' : 'it'}: a hard-linked input cannot tell which; ${found})`);
  }
  return `${parts.join('; ')}. Staged inputs are read-only links to the store: write to a copy instead (cp input mine && chmod u+w mine).`;
}

function names(ps: InputProblem[]): string {
  return ps.slice(0, 3).map((p) => p.path).join(', ') + (ps.length > 3 ? ` and ${ps.length - 3} more` : '');
}

function plural(ps: InputProblem[]): string {
  return ps.length > 1 ? 's' : '';
}
