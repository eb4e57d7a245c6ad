/**
 * The process-runner port: run one attempt's command in a task directory that runAttempt has
 * prepared, and report how it ended. A local child process (src/executors/local-process.ts)
 * and a container (src/executors/container/) implement it; staging inputs and collecting outputs are not its job.
 */

/** What a task may use of the machine (scheduling locally, `--cpus`/`--memory` in containers). */
export interface Resources {
  cpu: number;
  /** MiB */
  memory: number;
  gpu: number;
}

export interface ProcessRequest {
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
  /**
   * Everything the command may see of the host lives under this directory: the task directory
   * (`cwd`) and the FLOW_VALUES file. A container mounts it and nothing else.
   */
  root: string;
  /** The task directory: the working directory of the command (inside `root`). */
  cwd: string;
  /** Variables added to the inherited environment (FLOW_*, the step's env, secrets). */
  env: Record<string, string>;
  /**
   * Names of the `env` variables whose values are secret. A container runner passes those to
   * its CLI through the CLI's environment (`--env NAME`), never as `--env NAME=value` arguments.
   */
  secretEnv?: string[];
  timeoutMs?: number;
  /** The container image as the step names it (container runners only). */
  image?: string;
  /** The image's resolved id (`sha256:…`), which is what runs; see AttemptSpec.imageDigest. */
  imageDigest?: string;
  /** The container network (`--network`); undefined: the runtime's default. */
  network?: string;
  resources: Resources;
  /** Files the attempt's stdout and stderr are written to (masked, as they arrive). */
  stdoutPath: string;
  stderrPath: string;
  /** Called for every complete output line (already masked). */
  onLog?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Replaces secrets in log text with `***`. */
  mask?: (text: string) => string;
  /** True for a value that holds a secret: an inherited variable with such a value is not passed on. */
  holdsSecret?: (value: string) => boolean;
  /** With `mask`: moves the cut of an over-long output line (a byte offset) back so that it does not split a secret. */
  maskCut?: (bytes: Buffer, at: number) => number;
  /** Aborting ends the whole process tree (TERM, grace, KILL); a second abort with reason 'kill' kills at once. */
  signal?: AbortSignal;
  /**
   * An AbortSignal can fire only once, so a second Ctrl-C comes through this one. Aborting it
   * kills the whole process tree at once (SIGKILL, no grace), even while a TERM grace started
   * by `signal` or a timeout is running.
   */
  killSignal?: AbortSignal;
}

export type AttemptEnd = 'succeeded' | 'failed' | 'timeout' | 'interrupted';

export interface ProcessResult {
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
   * Processes the command left running after it exited (background jobs, daemons), which the
   * runner then ended, as a container's exit would. Absent when none.
   */
  leftoverProcesses?: number;
}

/** Runs commands; `name` is what attempt records call it (`local`, `podman`, …). */
export interface ProcessRunner {
  readonly name: string;
  run(req: ProcessRequest): Promise<ProcessResult>;
}
