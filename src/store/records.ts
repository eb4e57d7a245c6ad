/**
 * Shapes of the metadata records of DESIGN.md §4, and the keys they live at.
 * These are the store's stable, documented formats: the client API and `show` read them.
 */

export type RunState = 'running' | 'succeeded' | 'failed' | 'interrupted';
/** `interrupted`: stopped by Ctrl-C/SIGTERM (older records say `failed` with reason `interrupted`). */
export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'skipped' | 'cached';

export interface RunRecord {
  formatVersion: 1;
  flow: string;
  runId: string;
  state: RunState;
  /** Param values; secret params are `***`. */
  params: Record<string, unknown>;
  /** Names of params that are secret. */
  secretParams: string[];
  /** code/<hash>: the snapshot of the project the run used. */
  codeHash: string;
  /** sha256 of the flow file. */
  specHash: string;
  /** Flow file path relative to the project root. */
  flowFile: string;
  user: string;
  namespace: string;
  tags: string[];
  /** Run this one resumed, if any. */
  originRunId?: string;
  /** `resume --from STEP`: the step re-run from (with everything downstream of it). */
  resumedFrom?: string;
  /** Absolute project root on the machine that started the run (resume finds the flow file with it). */
  projectRoot?: string;
  startedAt: string;
  finishedAt?: string;
  /** Refreshed every few seconds while the run lives. */
  heartbeatAt: string;
  pid: number;
  host: string;
  /** Count of tasks by state, filled at the end. */
  taskCounts?: Partial<Record<TaskState, number>>;
  /** Whether failures were caught (run succeeded with caught failures). */
  caughtFailures?: number;
  error?: string;
}

export interface OutputEntry {
  /** Path relative to the task dir, as declared (a directory's files appear as `dir/…`). */
  path: string;
  /** `file` objects hold content; `dir` objects hold a manifest (JSON list of entries). */
  type: 'file' | 'dir';
  hash: string;
  /** Bytes of the file; for a directory, the sum of its files' sizes. */
  size: number;
  /** 0o755 when the file is executable (restored on staging); absent otherwise. */
  mode?: number;
}

export interface TaskRecord {
  formatVersion: 1;
  runId: string;
  step: string;
  taskId: string;
  state: TaskState;
  /** The foreach item (innermost), if the task is fanned out. */
  item?: unknown;
  /** Indices of every enclosing foreach, outermost first. */
  itemIndices: number[];
  /** Rendered command with secrets masked. */
  command?: string;
  cacheKey?: string;
  /** When cached or cloned: where the outputs came from. */
  cachedFrom?: { runId: string; step: string; taskId: string };
  /** How a `cached` task was reused: a cache-key hit, or cloned from the origin run by `resume`. */
  reuse?: 'cache' | 'resume';
  outputs: OutputEntry[];
  values: Record<string, unknown>;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  /** Why it failed or was skipped. */
  reason?: string;
  /** A failure that `catch: true` let through. */
  caught?: boolean;
}

export interface AttemptRecord {
  formatVersion: 1;
  attempt: number;
  state: 'running' | 'succeeded' | 'failed' | 'timeout' | 'interrupted';
  exitCode: number | null;
  signal: string | null;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  reason?: string;
}

export const keys = {
  object: (hash: string) => `objects/sha256/${hash.slice(0, 2)}/${hash}`,
  code: (hash: string) => `code/${hash}`,
  flowDir: (flow: string) => `flows/${flow}`,
  runsDir: (flow: string) => `flows/${flow}/runs`,
  runDir: (flow: string, runId: string) => `flows/${flow}/runs/${runId}`,
  run: (flow: string, runId: string) => `flows/${flow}/runs/${runId}/run.json`,
  events: (flow: string, runId: string) => `flows/${flow}/runs/${runId}/events.ndjson`,
  stepsDir: (flow: string, runId: string) => `flows/${flow}/runs/${runId}/steps`,
  tasksDir: (flow: string, runId: string, step: string) => `flows/${flow}/runs/${runId}/steps/${step}/tasks`,
  task: (flow: string, runId: string, step: string, taskId: string) =>
    `flows/${flow}/runs/${runId}/steps/${step}/tasks/${taskId}/task.json`,
  attemptDir: (flow: string, runId: string, step: string, taskId: string, attempt: number) =>
    `flows/${flow}/runs/${runId}/steps/${step}/tasks/${taskId}/attempts/${attempt}`,
  attempt: (flow: string, runId: string, step: string, taskId: string, attempt: number) =>
    `flows/${flow}/runs/${runId}/steps/${step}/tasks/${taskId}/attempts/${attempt}/attempt.json`,
  attemptLog: (flow: string, runId: string, step: string, taskId: string, attempt: number, stream: 'stdout' | 'stderr') =>
    `flows/${flow}/runs/${runId}/steps/${step}/tasks/${taskId}/attempts/${attempt}/${stream}`,
  attemptsDir: (flow: string, runId: string, step: string, taskId: string) =>
    `flows/${flow}/runs/${runId}/steps/${step}/tasks/${taskId}/attempts`,
  runsIndexDir: () => 'runs',
  flowsDir: () => 'flows',
  /** Machine-local stat cache of code snapshots (path -> stat + hash); safe to delete. */
  codeStatCache: () => 'cache/code-stat.json',
  /** Cache index: the task that produced a cache key's outputs (`{flow, runId, step, taskId}`). */
  cacheEntry: (key: string) => `cache/tasks/${key.slice(0, 2)}/${key}.json`,
  /** Index of run ids by id, so `show RUN_ID` finds the flow without scanning every flow. */
  runIndex: (runId: string) => `runs/${runId}`,
} as const;
