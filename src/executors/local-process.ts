/**
 * The local process runner: one child process per attempt, leading its own process group.
 * Output goes line by line (masked) to the attempt's log files and to `onLog`. A timeout or
 * an abort ends the whole process tree; processes a command leaves behind when it exits
 * are ended too, so a local task stops the way a container task does.
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { AttemptEnd, ProcessRequest, ProcessResult, ProcessRunner } from '../task/process-runner.js';
import { inheritedEnv } from '../task/task-env.js';
import { formatDuration, notStarted, runWithLogs, type Outcome } from './attempt-logs.js';
import type { LogFile } from './log-file.js';
import { killTree, type KillTreeResult, type TreeRoot } from './process-tree.js';
import { Spawner } from './spawner/client.js';
import { findExecutable, readOnlyGuard } from './shell.js';
import { explainStartFailure } from './start-failure.js';

export { formatDuration } from './attempt-logs.js';

export interface LocalProcessOptions {
  /** Time between SIGTERM and SIGKILL when a process tree is ended (default 5000 ms). */
  graceMs?: number;
  /** When running as root, drop root's permission override so read-only staged inputs stay read-only (default true). */
  protectReadOnly?: boolean;
}

/** Environment variable every process of an attempt inherits; its value lists the tags of nested attempts. */
export const PROCESS_TAG_VAR = 'FLOWCTL_PROCESS_TAG';

/** @example const result = await new LocalProcessRunner({ graceMs: 1000 }).run(req); */
export class LocalProcessRunner implements ProcessRunner {
  readonly name = 'local';
  private readonly graceMs: number;
  private readonly protectReadOnly: boolean;

  constructor(opts: LocalProcessOptions = {}) {
    this.graceMs = opts.graceMs ?? 5000;
    this.protectReadOnly = opts.protectReadOnly ?? true;
  }

  /** True when commands run without root's file-permission override (root, setpriv works, option on). */
  async guardsReadOnly(): Promise<boolean> {
    return this.protectReadOnly && (await readOnlyGuard()) !== undefined;
  }

  run(req: ProcessRequest): Promise<ProcessResult> {
    return runWithLogs(req, (stdout, stderr, onCallbackError) => this.execute(req, stdout, stderr, onCallbackError));
  }

  private async execute(req: ProcessRequest, stdout: LogFile, stderr: LogFile, onCallbackError: (e: unknown) => void): Promise<Outcome> {
    if (req.signal?.aborted || req.killSignal?.aborted) {
      return { state: 'interrupted', exitCode: null, signal: null, reason: 'interrupted before start' };
    }
    const shell = findExecutable(req.shell, req.env.PATH ?? process.env.PATH);
    if (!shell) return notStarted(`${req.shell} not found on PATH (shell: ${req.shell}); install it, or use shell: sh`);
    const guard = this.protectReadOnly ? await readOnlyGuard() : undefined;
    const tag = randomBytes(12).toString('hex');
    const inherited = req.env[PROCESS_TAG_VAR] ?? process.env[PROCESS_TAG_VAR];
    const mask = req.mask;
    const env = inheritedEnv(process.env, req.holdsSecret);
    Object.assign(env, req.env, { [PROCESS_TAG_VAR]: inherited ? `${inherited},${tag}` : tag });

    const why = async (code: string | undefined, message: string): Promise<Outcome> => {
      // spawn says ENOENT for a missing cwd as for a missing program; tell which (only now:
      // checking the directory before every spawn is a round trip on the hot path).
      const cwd = code === 'ENOENT' || code === 'ENOTDIR' || code === undefined ? await checkCwd(req.cwd) : undefined;
      return notStarted((mask ?? ((t: string) => t))(cwd ?? explainStartFailure(code, message, { shell: req.shell, command: req.command, env })));
    };
    let sub;
    try {
      sub = Spawner.for(guard).spawn({ file: shell, args: ['-c', req.command], cwd: req.cwd, env, tag });
    } catch (e) {
      return why((e as NodeJS.ErrnoException).code, `the spawner process could not be started: ${(e as Error).message}`);
    }
    const started = await sub.started;
    if ('error' in started) {
      await sub.closed;
      return why(started.code, started.error);
    }
    const pid = started.pid;
    liveGroups.add(pid);
    const root: TreeRoot = { pid, start: started.start, tag };

    let ending: 'timeout' | 'interrupted' | undefined;
    let exited = false;
    let leftovers = 0;
    let kill: Promise<KillTreeResult> | undefined;
    const hurry = new AbortController();
    const endTree = (graceMs: number): void => {
      if (graceMs === 0) hurry.abort();
      kill ??= killTree(root, { graceMs, hurry: hurry.signal }).catch(() => {
        // Process discovery failed (no /proc, no ps): the group is all we can reach.
        signalGroup(pid, 'SIGKILL');
        return { signalled: 0, killed: 0 };
      });
    };
    const interrupt = (now: boolean): void => {
      if (!exited) ending ??= 'interrupted';
      if (!exited || kill) endTree(now ? 0 : this.graceMs);
    };
    const onAbort = (): void => interrupt(req.signal?.reason === 'kill');
    const onKill = (): void => interrupt(true);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    req.killSignal?.addEventListener('abort', onKill, { once: true });
    if (req.killSignal?.aborted) onKill(); // aborted while we were getting ready
    else if (req.signal?.aborted) onAbort();
    const timer = req.timeoutMs === undefined ? undefined : setTimeout(() => {
      if (exited || ending) return;
      ending = 'timeout';
      endTree(this.graceMs);
    }, req.timeoutMs);
    let lost: string | undefined;
    void sub.exited.then((e) => {
      exited = true;
      if (e.lost) {
        // The spawner died: it can no longer tell us anything about this tree; end it from here.
        lost = e.lost;
        endTree(0);
        return;
      }
      if (kill) return;
      // The command is done; whatever it started and left running is ended now (the spawner
      // counted them; -1: it could not look, and killed the process group itself).
      leftovers = Math.max(0, e.leftovers);
      if (leftovers > 0) endTree(this.graceMs);
    });
    const broke = (e: unknown): void => {
      onCallbackError(e);
      endTree(0);
    };
    stdout.attach(sub.stdout, broke);
    stderr.attach(sub.stderr, broke);

    try {
      const r = await sub.closed;
      exited = true;
      if (kill) await kill;
      const exitCode = r.code;
      const signal = r.signal;
      const extra = leftovers > 0 ? { leftoverProcesses: leftovers } : {};
      const end = (state: AttemptEnd, reason?: string): Outcome => ({ state, exitCode, signal, ...(reason ? { reason } : {}), ...extra });
      if (ending === 'timeout') return end('timeout', `timed out after ${formatDuration(req.timeoutMs!)}`);
      if (ending === 'interrupted') return end('interrupted', 'interrupted');
      if (lost) return end('failed', lost);
      if (exitCode === 0) return end('succeeded');
      if (signal) return end('failed', `killed by ${signal}`);
      if (exitCode !== null) return end('failed', `exit code ${exitCode}`);
      return end('failed', 'ended without an exit code');
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      req.killSignal?.removeEventListener('abort', onKill);
      liveGroups.delete(pid);
    }
  }
}

async function checkCwd(cwd: string): Promise<string | undefined> {
  try {
    if (!(await stat(cwd)).isDirectory()) return `working directory ${cwd} is not a directory`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `working directory ${cwd} does not exist` : `working directory ${cwd}: ${(e as Error).message}`;
  }
  return undefined;
}

/**
 * Process groups of running attempts. If flowctl exits while attempts run (a crash, or
 * process.exit), they are killed rather than left orphaned; detached children would
 * otherwise survive us.
 */
const liveGroups = new Set<number>();
process.once('exit', () => {
  for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
});

function signalGroup(pgid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pgid, sig);
  } catch {
    // already gone
  }
}
