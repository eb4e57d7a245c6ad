/**
 * The JSON shapes of the client objects (`toJSON()`), which are also what `flowctl show
 * --json` prints. Stable: fields are added, never renamed or removed; absent values are null.
 */
import type { AttemptRecord, JobInfo, RunState, TaskState } from '../store/records.js';

export type LogStream = 'stdout' | 'stderr';

/** A run record or task record that cannot be read (truncated, empty, not JSON, the wrong shape): see `error`. */
export type Damaged = 'damaged';

/** A run's state as filtered on: `dead` is a `running` run whose heartbeat stopped (see STALE_AFTER_MS); `damaged`, one whose records cannot be read. */
export type RunStatus = RunState | 'dead' | Damaged;

/** A task's state as the client shows it: the recorded state, or `damaged` when task.json cannot be read. */
export type TaskStatus = TaskState | Damaged;

export interface RunFilter {
  /** Keep runs in any of these states; `running` means alive, `dead` running but with a stale heartbeat. */
  status?: RunStatus | readonly RunStatus[];
  /** Keep runs that carry every one of these tags. */
  tag?: string | readonly string[];
  /** At most this many runs (most recent first); 0 or absent for all. */
  limit?: number;
}

/**
 * A damaged run (`state: "damaged"`) has `error` naming the file and what is wrong with it;
 * when run.json itself could not be read, the fields that come from it are null (or empty).
 */
export interface RunJson {
  pathspec: string;
  flow: string;
  runId: string;
  state: RunState | Damaged;
  /** `running` but the heartbeat is older than 30 s: the process probably died (shown `dead?`). */
  stale: boolean;
  user: string | null;
  namespace: string | null;
  /** run.json's tags merged with the edits in flows/<flow>/tags/<run-id>.json (`flowctl tag`). */
  tags: string[];
  /** The run this one resumed (`flowctl resume`), and the step it re-ran from (`--from`). */
  originRunId: string | null;
  resumedFrom: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  heartbeatAt: string | null;
  params: Record<string, unknown>;
  secretParams: string[];
  codeHash: string | null;
  specHash: string | null;
  flowFile: string | null;
  host: string | null;
  pid: number | null;
  taskCounts: Partial<Record<TaskState, number>>;
  caughtFailures: number;
  /** Why the run failed, or (state `damaged`) which record cannot be read and why. */
  error: string | null;
}

/**
 * `pending`: the run is alive and the step has no task yet; `not-run`: the run ended before it; `caught`: failures that
 * `catch: true` let through; `interrupted`: Ctrl-C stopped some of its tasks; `damaged`: a task record cannot be read.
 */
export type StepState = 'pending' | 'not-run' | 'running' | 'succeeded' | 'failed' | 'caught' | 'interrupted' | 'skipped' | 'cached' | Damaged;

export interface StepJson {
  pathspec: string;
  step: string;
  state: StepState;
  tasks: number;
  counts: Partial<Record<TaskStatus, number>>;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

export interface OutputJson {
  path: string;
  type: 'file' | 'dir';
  size: number;
  sha256: string;
}

export interface TaskJson {
  pathspec: string;
  flow: string;
  runId: string;
  step: string;
  taskId: string;
  state: TaskStatus;
  /** The foreach item; null when the step is not fanned out (itemIndices is then empty). */
  item: unknown;
  itemIndices: number[];
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  cachedFrom: { runId: string; step: string; taskId: string } | null;
  /** How a `cached` task was reused: a cache-key hit (`cache`) or cloned by `resume`; null otherwise. */
  reuse: 'cache' | 'resume' | null;
  reason: string | null;
  caught: boolean;
  command: string | null;
  cacheKey: string | null;
  values: Record<string, unknown>;
  outputs: OutputJson[];
  /** State `damaged`: which record cannot be read and why; null otherwise. */
  error: string | null;
  /** The AWS Batch job of the task's last attempt (absent for tasks run on the orchestrating machine). */
  jobId?: string;
}

export interface AttemptJson {
  attempt: number;
  /** `running` while the attempt has no attempt.json yet; `damaged` when it cannot be read. */
  state: AttemptRecord['state'] | Damaged;
  exitCode: number | null;
  signal: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  reason: string | null;
  /** State `damaged`: which record cannot be read and why; null otherwise. */
  error: string | null;
  /** Where it ran: `local`, `podman`, `docker`, `batch`; null in records older than the field. */
  executor: string | null;
  /** A container step's image as written, and the id (`sha256:…`) it ran; null otherwise. */
  image: string | null;
  imageDigest: string | null;
  /** The AWS Batch job the attempt ran in (absent for attempts run on the orchestrating machine). */
  job?: JobInfo;
}

export interface FileJson {
  /** Relative to the task directory, e.g. `reports/summary.csv`. */
  path: string;
  size: number;
  sha256: string;
}

export interface ArtifactJson {
  pathspec: string;
  path: string;
  type: 'file' | 'dir';
  size: number;
  /** null for a directory inside a directory output (it has no object of its own). */
  sha256: string | null;
  /** A directory's files (recursively); null for a file. */
  files: FileJson[] | null;
}

export type { CacheStatus, CodeFileChange, ComparedTask, KeyChange, KeyPart, NotReusedReason } from '../graph/cache-status.js';
