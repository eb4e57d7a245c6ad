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
  /** Identity for `resume`: the cache key's parts without the code (see src/graph/cache-key.ts). */
  cloneKey?: string;
  /** The digests the cache key is made of, so a later run can say what changed. */
  keyParts?: TaskKeyParts;
  /** When cached or cloned: where the outputs came from. */
  cachedFrom?: { runId: string; step: string; taskId: string };
  /** How a `cached` task was reused: a cache-key hit, or cloned from the origin run by `resume`. */
  reuse?: 'cache' | 'resume';
  /** Why no earlier result was looked for: `--no-cache`, the step's `cache: false`, or `resume --from` re-running the step. */
  cacheSkipped?: 'no-cache' | 'cache-off' | 'rerun';
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
  /** The remote job of the last attempt (an AWS Batch job id, `<array job id>:<index>` for a child of an array job). */
  jobId?: string;
}

/** The parts of a task's cache key, as stored in task.json (`keyParts`). Every string is a digest unless said otherwise. */
export interface TaskKeyParts {
  v: 2;
  flow: string;
  /** Qualified step name. */
  step: string;
  taskId: string;
  /** The innermost item visible to the task; null when it sees none. */
  item: string | null;
  /** The step's own fan-out index; null when the step does not fan out itself. */
  itemIndex: number | null;
  /** Items of every enclosing fan-out and the step's own, outermost first. */
  items: string;
  command: string;
  shell: string;
  /** The image's id (`sha256:…`) for a container step (its reference as written where none was resolved); null on the host. */
  image: string | null;
  /** The step's env: name → digest of the value. */
  env: Record<string, string>;
  /** Params the task reads as FLOW_PARAM_*: name → digest of the value. */
  params: Record<string, string>;
  /** Digest of the code the task can see (see codeKey). */
  code: string;
  /** Staged inputs: path in the task dir → `type:sha256`. */
  inputs: Record<string, string>;
  /** Declared outputs, sorted (plain paths). */
  outputs: string[];
}

/** `cache/tasks/…/<key>.json`: the task that produced a cache key's outputs. */
export interface CacheEntry {
  flow: string;
  runId: string;
  step: string;
  taskId: string;
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
  /** Where it ran: `local`, a container runtime, `batch` (absent in records written before this field). */
  executor?: string;
  /** The container image of a container step, as the step names it. */
  image?: string;
  /** The id (`sha256:…`) of the image that ran; the task's cache key covers it. */
  imageDigest?: string;
  /** Outputs collected from a succeeded attempt. */
  outputs?: OutputEntry[];
  /** FLOW_VALUES of a succeeded attempt (secrets masked). */
  values?: Record<string, unknown>;
  /** The attempt's last output lines (masked), for failure summaries. */
  lastLines?: string[];
  /** Staged inputs (or code files) the attempt changed in place; absent when there were none. */
  inputProblems?: InputProblem[];
  /** Another attempt would not help (the task damaged its staged inputs: they are gone from the store). */
  final?: boolean;
  /** The remote job the attempt ran in (AWS Batch), absent for attempts run on the orchestrating machine. */
  job?: JobInfo;
}

/** An AWS Batch job as an attempt record keeps it. */
export interface JobInfo {
  /** The job id (`<array job id>:<index>` for a child of an array job). */
  id: string;
  queue?: string;
  /** The child's index in its array job. */
  arrayIndex?: number;
  /** Batch's last status (SUCCEEDED, FAILED, …) as the orchestrator saw it. */
  status?: string;
  /** Batch's statusReason (`Host EC2 (instance i-…) terminated.`, `Job attempt duration exceeded timeout`). */
  statusReason?: string;
  /** The container's reason (`OutOfMemoryError: Container killed due to memory usage`, `CannotPullContainerError: …`). */
  containerReason?: string;
  /** CloudWatch Logs stream of the container, when Batch reported one. */
  logStream?: string;
}

/** Where an attempt runs on AWS Batch: the step's `batch:` settings with the queue resolved. */
export interface BatchPlacement {
  queue: string;
  jobRole?: string;
  executionRole?: string;
  platform: 'EC2' | 'FARGATE';
  assignPublicIp?: boolean;
  /** Secret param name → Secrets Manager / SSM ARN (names and ARNs only, never values). */
  secrets: Record<string, string>;
}

/** `arrays/<id>.json`: which attempt each child of an AWS Batch array job runs (child index → entry). */
export interface JobArrayRecord {
  formatVersion: 1;
  attempts: Array<{ step: string; taskId: string; attempt: number }>;
}

/** A staged file (a hard link to a store object) that a task changed in place. */
export interface InputProblem {
  /** Where the task saw it, relative to the task directory. */
  path: string;
  /** The object's sha256. */
  hash: string;
  /** `metadata`: only its mode or times (content intact; the attempt is not failed). `content`: its bytes (the attempt fails). */
  changed: 'metadata' | 'content';
  /** What flowctl did: `content intact; mode and mtime reset`, `object quarantined`, `local cache copy dropped`, … */
  repair: string;
}

/**
 * One attempt of a task as plain JSON: everything needed to run it anywhere (in-process, in a
 * container, in an AWS Batch job through `flowctl task`). Holds no secret value: the variables
 * named in `secretEnv` are supplied by whoever runs it (the orchestrator's memory, or the
 * job's own environment). Stored at `attempts/<n>/spec.json` when it runs out of process.
 */
export interface AttemptSpec {
  formatVersion: 1;
  flow: string;
  runId: string;
  /** Qualified step name. */
  step: string;
  taskId: string;
  /** 1-based. */
  attempt: number;
  /** The rendered command (secrets are `$FLOW_SECRET_<n>` references). */
  command: string;
  shell: 'sh' | 'bash';
  /** The task's environment (FLOW_* identity, readable FLOW_PARAM_*, the step's env); FLOW_TASK_DIR and FLOW_VALUES are added where it runs. */
  env: Record<string, string>;
  /** Names of environment variables whose values are secret and not in `env`. */
  secretEnv: string[];
  timeoutMs?: number;
  /** Declared outputs, relative to the task directory. */
  outputs: string[];
  /** `code/<hash>`: the snapshot the task directory is built from. */
  codeHash: string;
  /** Upstream outputs staged into the task directory at `path`. */
  inputs: Array<{ path: string; entry: OutputEntry }>;
  image?: string;
  /**
   * The image's id (`sha256:…`), resolved once per run (pulling per `pull`): what a container
   * runs, so a tag moved during the run cannot change what the cache key says.
   */
  imageDigest?: string;
  /** When to pull `image`: `always` (once per run), `missing` (default), `never`. */
  pull?: PullPolicy;
  /** The container network (`--network`); absent: the runtime's default. */
  network?: string;
  resources: { cpu: number; memory: number; gpu: number };
  /** Set when the attempt runs on AWS Batch. */
  batch?: BatchPlacement;
}

/**
 * `flows/<flow>/tags/<run-id>.json`: tags added or removed after a run started (see
 * src/client/tags.ts for why they are not in run.json). Readers merge it with run.json's tags.
 */
export interface TagsFile {
  formatVersion: 1;
  added: string[];
  removed: string[];
  updatedAt: string;
}

/**
 * `locks/gc.json`: what `flowctl gc` (or `rm`) is doing to the store. It stays after a gc ends,
 * so a run can tell whether one ran since it looked (see Store.keepCode).
 */
export interface GcState {
  /** Counts gc passes: one more at each start. */
  epoch: number;
  running: boolean;
  pid: number;
  host: string;
  startedAt: string;
  /** Refreshed every few seconds while it runs. */
  heartbeatAt: string;
  finishedAt?: string;
}

/** When a container image is pulled: once per run (`always`), only when absent (`missing`), or never. */
export type PullPolicy = 'always' | 'missing' | 'never';

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
  attemptSpec: (flow: string, runId: string, step: string, taskId: string, attempt: number) =>
    `flows/${flow}/runs/${runId}/steps/${step}/tasks/${taskId}/attempts/${attempt}/spec.json`,
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
  /** The store's random key for keyed hashes of secret values in cache keys (hex). */
  cacheSecret: () => 'config/cache-secret',
  /** Which attempt each child of an AWS Batch array job runs (JobArrayRecord). */
  jobArray: (flow: string, runId: string, arrayId: string) => `flows/${flow}/runs/${runId}/arrays/${arrayId}.json`,
  /** Index of run ids by id, so `show RUN_ID` finds the flow without scanning every flow. */
  runIndex: (runId: string) => `runs/${runId}`,
  codeDir: () => 'code',
  cacheEntriesDir: () => 'cache/tasks',
  tagsDir: (flow: string) => `flows/${flow}/tags`,
  tags: (flow: string, runId: string) => `flows/${flow}/tags/${runId}.json`,
  /** What gc is doing (GcState); runs read it. */
  gcState: () => 'locks/gc.json',
  /** Held (created exclusively) by the one gc running; removed when it ends. */
  gcLock: () => 'locks/gc.lock',
} as const;
