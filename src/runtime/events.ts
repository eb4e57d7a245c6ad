/**
 * Typed runtime events. The scheduler emits them; reporters (plain now, Ink and NDJSON
 * later) and the run's events.ndjson consume them. Reporters never drive the run.
 * Every event is JSON-serializable and carries `type` and `time` (ISO).
 */
import type { RunState, TaskState } from '../store/records.js';

interface Base {
  time: string;
  runId: string;
}

export type RunEvent =
  | (Base & { type: 'run-started'; flow: string; params: Record<string, unknown>; datastore: string; originRunId?: string; steps: Array<{ step: string; parent?: string; foreach: boolean; needs: string[]; deps?: string[] }> })
  | (Base & { type: 'step-started'; step: string })
  /** Emitted when the number of tasks of a step becomes known (after a foreach expands). */
  | (Base & { type: 'step-planned'; step: string; tasks: number })
  | (Base & { type: 'step-finished'; step: string; state: TaskState | 'caught'; counts: Partial<Record<TaskState, number>>; durationMs: number })
  /** `image`: a container step's image as written; `imageDigest`: the id it resolved to (what runs). */
  | (Base & { type: 'task-started'; step: string; taskId: string; item?: unknown; image?: string; imageDigest?: string })
  | (Base & { type: 'attempt-started'; step: string; taskId: string; attempt: number; maxAttempts: number; lastFailure?: string })
  /** A remote attempt moved on before it ended (AWS Batch: submitted, pending, runnable, starting, running). */
  | (Base & { type: 'attempt-status'; step: string; taskId: string; attempt: number; status: 'submitted' | 'pending' | 'runnable' | 'starting' | 'running'; jobId: string; reason?: string })
  | (Base & { type: 'log'; step: string; taskId: string; attempt: number; stream: 'stdout' | 'stderr'; line: string })
  | (Base & { type: 'attempt-finished'; step: string; taskId: string; attempt: number; state: string; exitCode: number | null; durationMs: number; reason?: string; willRetryInMs?: number })
  | (Base & { type: 'task-finished'; step: string; taskId: string; state: TaskState; durationMs: number; reason?: string; caught?: boolean; lastLines?: string[]; cachedFrom?: string })
  /** Something the user should know that is not a task's outcome (a Batch job queued for minutes). */
  | (Base & { type: 'warning'; message: string; step?: string })
  | (Base & { type: 'run-finished'; state: RunState; durationMs: number; counts: Partial<Record<TaskState, number>>; caughtFailures: number; error?: string });

export type RunEventType = RunEvent['type'];

/** A consumer of runtime events. */
export interface Reporter {
  onEvent(event: RunEvent): void;
  /** Flush and stop (e.g. stop redraws); awaited before the process exits. */
  close?(): Promise<void> | void;
}
