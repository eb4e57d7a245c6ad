/**
 * Crash leftovers (DESIGN.md §4). A run killed with `kill -9` leaves its task directories
 * (`<scratch>/tasks/<run-id>/`) and the temp files it was writing (`<tmp>/.<kind>-<pid>-<hex>`);
 * S3 runs also leave log files in `<scratch>/logs/`. Each is tagged with its writer: a task
 * directory holds `owner.json` (pid, host, run id), a temp file has the pid in its name. The
 * next run, resume or gc on the store removes what a dead process left, never what a live
 * one is using:
 *
 * - a task directory of this host: removed once its process is gone; of another host (a store
 *   on a shared filesystem) or without an owner file: once its run is known to the store and
 *   not alive (heartbeat), or a day after it was last written to;
 * - a temp file or log directory (its name holds the writer's pid and a tag of its host,
 *   fs-util tempName): once that pid is gone from this host; another host's, once nothing
 *   wrote to it for a day (a pid means nothing to other hosts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { errno, hostTag, removeTree } from './fs-util.js';

export const OWNER_FILE = 'owner.json';
const ABANDONED_MS = 24 * 3600_000;
/** `.<kind>-<pid>-<4 hex host><12 hex>` (fs-util tempName) or `<run-id>-<pid>-<4 hex host><8 hex>` (store-logs attemptLogs). */
const WRITER_IN_NAME = /-(\d+)-([0-9a-f]{4})[0-9a-f]{8,12}$/;

export interface ScratchOwner {
  pid: number;
  host: string;
  runId: string;
}

/** What a sweep removed. */
export interface LeftoverReport {
  dirs: string[];
  files: number;
  bytes: number;
}

/** How the sweep asks the store about a run: 'alive', 'dead', or 'unknown' (not in this store). */
export type RunLiveness = (runId: string) => Promise<'alive' | 'dead' | 'unknown'>;

/** Create `<root>/<name>` for this process's task directories of run `runId`, with its owner file. */
export function makeOwnedDir(root: string, name: string, runId: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const owner: ScratchOwner = { pid: process.pid, host: os.hostname(), runId };
  writeFileSync(join(dir, OWNER_FILE), `${JSON.stringify(owner)}\n`);
  return dir;
}

/** Remove what dead processes left under `tasksDir`, `logsDir` and `tempDir` (see the file comment). Never throws. */
export async function sweepLeftovers(
  where: { tasksDir: string; logsDir: string; tempDir: string },
  liveness: RunLiveness,
  opts: { now?: number; dryRun?: boolean } = {},
): Promise<LeftoverReport> {
  const now = opts.now ?? Date.now();
  const report: LeftoverReport = { dirs: [], files: 0, bytes: 0 };
  const remove = (path: string, r: LeftoverReport) => (opts.dryRun ? count(path, r) : removeCounted(path, r));
  for (const name of await names(where.tasksDir)) {
    const dir = join(where.tasksDir, name);
    if (await taskDirIsLeftover(dir, name, liveness, now)) await remove(dir, report);
  }
  for (const name of await names(where.logsDir)) {
    if (await namedByDeadWriter(join(where.logsDir, name), name, now)) await remove(join(where.logsDir, name), report);
  }
  for (const name of await names(where.tempDir)) {
    if (name.startsWith('.') && (await namedByDeadWriter(join(where.tempDir, name), name, now))) await remove(join(where.tempDir, name), report);
  }
  return report;
}

async function taskDirIsLeftover(dir: string, name: string, liveness: RunLiveness, now: number): Promise<boolean> {
  const owner = readOwner(dir);
  if (owner?.host === os.hostname()) return owner.pid !== process.pid && !pidAlive(owner.pid);
  const runId = owner?.runId ?? name.replace(/-remote-[0-9a-f]+$/, '');
  const state = await liveness(runId).catch(() => 'unknown' as const);
  if (state !== 'unknown') return state === 'dead';
  const st = await lstat(dir).catch(() => undefined);
  return st !== undefined && now - st.mtimeMs > ABANDONED_MS;
}

async function namedByDeadWriter(path: string, name: string, now: number): Promise<boolean> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return false;
  if (now - Math.max(st.mtimeMs, st.ctimeMs) > ABANDONED_MS) return true;
  const m = WRITER_IN_NAME.exec(name);
  const pid = Number(m?.[1]);
  return m?.[2] === hostTag() && Number.isInteger(pid) && pid !== process.pid && !pidAlive(pid);
}

function readOwner(dir: string): ScratchOwner | undefined {
  try {
    const o = JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Partial<ScratchOwner>;
    return typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.runId === 'string' ? (o as ScratchOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a process with this pid exists on this host (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) === 'EPERM';
  }
}

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => [] as string[]);
}

/** What removing path would free (dry run). */
async function count(path: string, report: LeftoverReport): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return;
  if (st.isDirectory()) report.dirs.push(path);
  else report.files++;
  report.bytes += await treeBytes(path);
}

async function removeCounted(path: string, report: LeftoverReport): Promise<void> {
  const bytes = await treeBytes(path);
  try {
    const st = await lstat(path);
    if (st.isDirectory()) {
      await removeTree(path).catch(async () => {
        // A tree deeper than PATH_MAX (a task can make one): rm(1) descends directory by directory.
        const { execa } = await import('execa');
        await execa('rm', ['-rf', path], { reject: false });
      });
      report.dirs.push(path);
    } else {
      await rm(path, { force: true });
      report.files++;
    }
    report.bytes += bytes;
  } catch (e) {
    if (errno(e) !== 'ENOENT') return;
  }
}

/** Bytes of regular files under path (for the report; a best effort). */
async function treeBytes(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.isFile() ? st.size : 0;
  let n = 0;
  for (const name of await names(path)) n += await treeBytes(join(path, name));
  return n;
}
