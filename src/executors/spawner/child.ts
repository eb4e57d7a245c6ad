/**
 * The spawner: a small, long-lived process that starts task commands for flowctl.
 *
 * Why a separate process: fork() copies the parent's page tables, so every spawn from the
 * flowctl process (100+ MiB with the engine, store and reporters loaded) costs ~2.8 ms of its
 * single thread, plus ~1 ms to scan /proc for leftovers after each exit. This process is
 * ~40 MiB and does both on the other core; flowctl only exchanges a few messages per task.
 * When running as root it is itself started under setpriv, so the read-only guard costs one
 * exec per run instead of one per task.
 *
 * It imports node built-ins and process-tree.ts only (start-up ~40 ms). It ends every task
 * process group it started when flowctl goes away, even after a `kill -9` of flowctl.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { findTree, readProc } from '../process-tree.js';
import type { Fd, FromSpawner, OrphanCommand, ToSpawner } from './protocol.js';

interface Live {
  child: ChildProcess;
  pid: number;
  /** The root's start time (clock ticks since boot): guards the leftover scan against pid reuse. */
  start?: string;
  /** Streams paused by flowctl (backpressure) or by a full IPC channel. */
  held: Record<Fd, Set<'peer' | 'channel'>>;
  onOrphan?: OrphanCommand;
}

const live = new Map<number, Live>();

// Ctrl-C reaches the whole foreground process group; flowctl decides what happens to tasks.
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => {});

function send(msg: FromSpawner, onSent?: () => void): boolean {
  if (!process.connected) return true;
  try {
    return process.send!(msg, undefined, {}, onSent ? () => onSent() : undefined);
  } catch {
    // The channel is closing: flowctl is gone, and 'disconnect' ends every task.
    return true;
  }
}
// A failed IPC write is reported here; without a listener it would end this process.
process.on('error', () => {});

/** What went wrong, as the protocol carries it (never a stack). */
function failure(e: unknown): { message: string; code?: string } {
  const err = e as NodeJS.ErrnoException;
  return { message: String(err?.message ?? e), ...(typeof err?.code === 'string' ? { code: err.code } : {}) };
}

function stream(entry: Live, fd: Fd) {
  return fd === 1 ? entry.child.stdout! : entry.child.stderr!;
}

function hold(entry: Live, fd: Fd, why: 'peer' | 'channel'): void {
  entry.held[fd].add(why);
  stream(entry, fd).pause();
}

function release(entry: Live, fd: Fd, why: 'peer' | 'channel'): void {
  entry.held[fd].delete(why);
  if (entry.held[fd].size === 0) stream(entry, fd).resume();
}

function start(m: Extract<ToSpawner, { t: 'spawn' }>): void {
  let child: ChildProcess;
  try {
    child = spawn(m.file, m.args, { cwd: m.cwd, env: m.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (e) {
    // E2BIG, ENOMEM, a NUL byte in an argument…: Node throws these instead of emitting 'error'.
    send({ t: 'error', id: m.id, ...failure(e) });
    return;
  }
  const pid = child.pid;
  if (pid === undefined) {
    child.once('error', (e) => send({ t: 'error', id: m.id, ...failure(e) }));
    return;
  }
  child.on('error', () => {}); // started: nothing left that could fail (we never kill or message it)
  const entry: Live = { child, pid, held: { 1: new Set(), 2: new Set() }, onOrphan: m.onOrphan };
  live.set(m.id, entry);
  try {
    entry.start = readProc(pid)?.start;
  } catch {
    // without it the leftover scan only loses its guard against pid reuse
  }
  send({ t: 'spawned', id: m.id, pid, start: entry.start });
  for (const fd of [1, 2] as const) {
    const s = stream(entry, fd);
    s.on('data', (chunk: Buffer) => {
      if (!send({ t: 'data', id: m.id, fd, chunk }, () => release(entry, fd, 'channel'))) hold(entry, fd, 'channel');
    });
    s.once('end', () => send({ t: 'end', id: m.id, fd }));
    s.once('error', () => send({ t: 'end', id: m.id, fd }));
  }
  child.once('exit', (code, signal) => {
    let leftovers: number;
    try {
      leftovers = findTree({ pid, start: entry.start, tag: m.tag }).length;
    } catch {
      leftovers = -1;
      killGroup(pid);
    }
    send({ t: 'exit', id: m.id, code, signal, leftovers });
  });
  child.once('close', () => live.delete(m.id));
}

/**
 * Handling one message threw (a bug, or input Node rejects): that task fails alone, its
 * process group is ended if it started, and this process goes on serving the others.
 */
function abandon(id: number, e: unknown): void {
  const entry = live.get(id);
  if (entry) {
    live.delete(id);
    killGroup(entry.pid);
  }
  send({ t: 'error', id, ...failure(e) });
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

function handle(m: ToSpawner): void {
  if (m.t === 'spawn') {
    start(m);
    return;
  }
  const entry = live.get(m.id);
  if (!entry) return;
  if (m.t === 'pause') hold(entry, m.fd, 'peer');
  else release(entry, m.fd, 'peer');
}

process.on('message', (m: ToSpawner) => {
  try {
    handle(m);
  } catch (e) {
    abandon((m as { id?: number } | null)?.id ?? -1, e);
  }
});

// flowctl exited or was killed: nobody will collect these tasks, so end them rather than
// leave orphans writing into a dead run's scratch directories.
// A command's onOrphan (removing its container) runs detached, in its own session: it outlives
// this process, which exits at once (spawn returns once the command has been exec'd).
process.on('disconnect', () => {
  for (const { pid } of live.values()) killGroup(pid);
  for (const { onOrphan } of live.values()) {
    if (!onOrphan) continue;
    try {
      spawn(onOrphan.file, onOrphan.args, { stdio: 'ignore', detached: true }).on('error', () => {}).unref();
    } catch {
      // nothing more can be done from here; the next run's sweep finds what is left
    }
  }
  process.exit(0);
});
