/**
 * The executor port: run one attempt of one task and report how it ended.
 * `local` implements it now; container (podman/docker) and AWS Batch come later and
 * must fit the same shape, so nothing here may assume a local child process.
 */
import type { ResourcesSpec } from '../spec/types.js';

export interface AttemptRequest {
  runId: string;
  /** Qualified step name (`per_fold.fit`). */
  step: string;
  taskId: string;
  /** 1-based. */
  attempt: number;
  /**
   * The rendered `run:` command; every substituted value is already shell-quoted, and a value
   * that holds a secret is a reference to a variable of `env` instead (`"$FLOW_SECRET_1"`),
   * so no secret is ever in a process's arguments.
   */
  command: string;
  shell: 'sh' | 'bash';
  /** The task directory: the working directory of the command. */
  cwd: string;
  /** Variables added to the inherited environment (FLOW_*, the step's env). */
  env: Record<string, string>;
  timeoutMs?: number;
  image?: string;
  resources: ResourcesSpec;
  /** Files the attempt's stdout and stderr are written to (masked, as they arrive). */
  stdoutPath: string;
  stderrPath: string;
  /** Called for every complete output line (already masked). */
  onLog?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Replaces secrets in log text with `***`. */
  mask?: (text: string) => string;
  /** With `mask`: moves the cut of an over-long output line (a byte offset) back so that it does not split a secret. */
  maskCut?: (bytes: Buffer, at: number) => number;
  /** Aborting ends the whole process tree (TERM, grace, KILL); a second abort with reason 'kill' kills at once. */
  signal?: AbortSignal;
  /**
   * Added (optional): an AbortSignal can fire only once, so a second Ctrl-C comes through
   * this one. Aborting it kills the whole process tree at once (SIGKILL, no grace), even
   * while a TERM grace started by `signal` or a timeout is running.
   */
  killSignal?: AbortSignal;
}

export type AttemptEnd = 'succeeded' | 'failed' | 'timeout' | 'interrupted';

export interface AttemptResult {
  state: AttemptEnd;
  exitCode: number | null;
  /** Signal that ended the process, if any. */
  signal: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Human-readable reason for a non-success (`exit code 3`, `timed out after 2s`, `could not start: …`). */
  reason?: string;
  /**
   * Added (optional): processes the command left running after it exited (background jobs,
   * daemons), which the executor then ended, as a container's exit would. Absent when none.
   */
  leftoverProcesses?: number;
}

export interface Executor {
  readonly name: string;
  runAttempt(req: AttemptRequest): Promise<AttemptResult>;
}
