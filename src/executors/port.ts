/**
 * The executor port (DESIGN.md §5): run one attempt, given as plain JSON, and return its record
 * as plain JSON. Chosen per step: `local` (a child process here), `container` (a step with
 * `image:`), `batch` (AWS Batch). Every executor ends in the same runAttempt (src/task).
 */
import type { AttemptRecord, AttemptSpec, PullPolicy } from '../store/records.js';

export type ExecutorKind = 'local' | 'container' | 'batch';

export interface ExecutorContext {
  /** Values of `spec.secretEnv`; never stored, never sent where others can read them. */
  secrets: Record<string, string>;
  /** Every complete output line of the attempt, masked. */
  onLog?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Ends the attempt gracefully (TERM, grace period, KILL). */
  signal?: AbortSignal;
  /** Ends it at once (a second Ctrl-C). */
  killSignal?: AbortSignal;
  /**
   * Aborted when the run has failed (another task failed uncaught): a remote executor ends
   * what has not started yet, as the local scheduler starts nothing more; running attempts finish.
   */
  runFailed?: AbortSignal;
  /** Where a remote attempt is before it ends (queued, starting, running), with its job id. */
  onStatus?: (s: AttemptStatus) => void;
  /**
   * The attempt is the first of a task of a fan-out of `size` tasks (`key` names the fan-out
   * instance): a remote executor may wait for its siblings to submit them together.
   */
  fanout?: { key: string; size: number };
  /** Secret variable (of `spec.secretEnv`) → the secret param whose whole value it carries, where one does. */
  secretSources?: Record<string, string>;
}

/** A remote attempt's place: Batch's states before it ends (SUBMITTED … RUNNING), lower-cased. */
export interface AttemptStatus {
  status: 'submitted' | 'pending' | 'runnable' | 'starting' | 'running';
  /** The remote job (an AWS Batch job id, `<array id>:<index>` for an array child). */
  jobId: string;
  /** Why it is where it is, when the service says (a RUNNABLE job's statusReason). */
  reason?: string;
}

export interface Executor {
  readonly kind: ExecutorKind;
  /** Runs the attempt and returns its stored record; throws only when the store cannot be written. */
  run(spec: AttemptSpec, ctx: ExecutorContext): Promise<AttemptRecord>;
  /** Resolves once the executor's background work (cleaning task directories) is done. */
  settle?(): Promise<void>;
  /**
   * Executors that run images here: the id (`sha256:…`) of `image`, pulled first as `pull` says,
   * resolved once per run. The cache key covers it instead of the tag.
   * @throws Error (code IMAGE_UNAVAILABLE) whose message names the image, when it cannot be had.
   */
  resolveImage?(image: string, pull: PullPolicy): Promise<string>;
}

/** Which executor a step uses: `executor: batch` wins, else `image:` means a container, else local. */
export function executorKindOf(step: { executor?: string; image?: string }): ExecutorKind {
  if (step.executor === 'batch') return 'batch';
  return step.image ? 'container' : 'local';
}

/** Remote executors do not use this machine's CPU and memory, so the scheduler does not count their tasks against it. */
export function runsOnThisMachine(kind: ExecutorKind): boolean {
  return kind !== 'batch';
}
