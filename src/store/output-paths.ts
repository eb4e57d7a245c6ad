/**
 * Where a declared output really is. A task owns its directory and may fill it with links;
 * flowctl resolves every one of them before it reads or moves anything, so nothing outside
 * the task directory is ever collected, and decides which links inside a directory output are
 * kept as links (relative, inside, through directories only: recreating them is always safe).
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { join, sep } from 'node:path';
import { FlowctlError } from '../errors.js';
import { errno } from './fs-util.js';
import { linkTargetProblem } from './manifest.js';

/** The task directory's real path; it must still be a directory, not a link a task put in its place. */
export async function taskRoot(taskDir: string): Promise<string> {
  const st = await lstat(taskDir);
  if (!st.isDirectory()) {
    const to = st.isSymbolicLink() ? ` (to ${await readlink(taskDir).catch(() => '?')})` : '';
    throw new FlowctlError('OUTPUT_SYMLINK', `The task directory ${taskDir} was replaced by a symlink${to}: no output is collected through it`, { exitCode: 1 });
  }
  return realpath(taskDir);
}

/** The real path of a declared output, which must exist and lie inside the task directory `root`. */
export async function resolveInside(abs: string, root: string, shown: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(abs);
  } catch (e) {
    if (errno(e) === 'ELOOP') throw new FlowctlError('OUTPUT_SYMLINK', `Output ${shown} is a symlink loop`, { exitCode: 1, cause: e });
    if (errno(e) !== 'ENOENT' && errno(e) !== 'ENOTDIR') throw e;
    if ((await lstat(abs).catch(() => undefined))?.isSymbolicLink()) {
      throw new FlowctlError('OUTPUT_SYMLINK', `Output ${shown} is a broken symlink`, { exitCode: 1, cause: e });
    }
    throw new FlowctlError('OUTPUT_MISSING', `Declared output ${shown} was not created by the task (expected at ${abs})`, {
      exitCode: 1,
      hint: 'Write the file (or directory) at that path relative to the task directory, or remove it from `outputs`.',
    });
  }
  if (!isInside(real, root)) {
    throw new FlowctlError('OUTPUT_SYMLINK', `Output ${shown} resolves through a symlink to ${real}, outside the task directory`, {
      exitCode: 1,
      hint: 'Write outputs inside the task directory (copy files in rather than linking to them); nothing outside it is collected.',
    });
  }
  return real;
}

/** linkTargetProblem against the real tree under root: what each path the target walks through is. */
export async function linkProblem(root: string, rel: string, target: string): Promise<string | undefined> {
  const kinds = new Map(await Promise.all(pathsOf(rel, target).map(async (p) => [p, kindOf(await lstat(join(root, p)).catch(() => undefined))] as const)));
  return linkTargetProblem(rel, target, (p) => kinds.get(p));
}

/** Every path inside the output that walking `target` from `rel`'s directory visits. */
function pathsOf(rel: string, target: string): string[] {
  const stack = rel.split('/').slice(0, -1);
  const out: string[] = [];
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') stack.push(part);
    else if (stack.pop() === undefined) break;
    if (stack.length > 0) out.push(stack.join('/'));
  }
  return out;
}

function kindOf(st: Stats | undefined): string | undefined {
  if (!st) return undefined;
  return st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
}

/** Resolve a symlink and insist that it stays inside `root` (the output), or the output would not be self-contained. */
export async function realInside(linkAbs: string, root: string, shown: string): Promise<string> {
  let target: string;
  try {
    target = await realpath(linkAbs);
  } catch (e) {
    throw new FlowctlError('OUTPUT_SYMLINK', `Output ${shown} is a broken symlink`, { exitCode: 1, cause: e });
  }
  if (!isInside(target, root)) {
    throw new FlowctlError('OUTPUT_SYMLINK', `Output ${shown} is a symlink to ${target}, outside the output`, {
      exitCode: 1,
      hint: 'Copy the file into the output instead of linking to it; only links inside the output are followed.',
    });
  }
  return target;
}

/** `path` is `root` or below it (both real, absolute). */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}
