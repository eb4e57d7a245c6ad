/**
 * The JSON shapes of `flowctl ui`'s API (src/web/api) and of a report's embedded data, shared by
 * the server and the browser app (web/). Type-only: nothing here runs.
 */
import type { ArtifactJson, AttemptJson, CacheStatus, RunJson, RunStatus, StepState, TaskJson, TaskStatus } from '../../client/types.js';
import type { TaskState } from '../../store/records.js';

export type { ArtifactJson, AttemptJson, CacheStatus, RunJson, RunStatus, StepState, TaskJson, TaskState, TaskStatus };

/** GET /api/config */
export interface UiConfig {
  /** The namespace the runs lists start filtered on (`flowctl ui --namespace`); null = all. */
  namespace: string | null;
  datastore: string;
  version: string;
}

/** A run in a runs list. */
export interface RunRow {
  flow: string;
  runId: string;
  state: RunJson['state'];
  /** `dead` when the run says running but stopped heartbeating. */
  status: RunStatus;
  user: string;
  namespace: string;
  tags: string[];
  params: Record<string, unknown>;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  originRunId: string | null;
  taskCounts: Partial<Record<TaskState, number>>;
  caughtFailures: number;
}

/** GET /api/flows */
export interface FlowRow {
  flow: string;
  /** Runs of the flow in every namespace. */
  runs: number;
  /** The most recent run in the namespace asked for; null when it has none there. */
  latest: RunRow | null;
}

/** Filters of a runs list (GET /api/flows/:flow/runs query, and the same rule in the browser). */
export interface RunsQuery {
  /** null or absent: every namespace. */
  namespace?: string | null;
  state?: RunStatus[];
  /** Every tag must be present. */
  tag?: string[];
  /** `name=value` pairs; value compared as text (`lr=0.5`), or `name` alone for "has this param". */
  param?: string[];
  /** Part of the run id (case-insensitive). */
  q?: string;
}

/** GET /api/flows/:flow/runs */
export interface RunsPage {
  flow: string;
  runs: RunRow[];
  /** Runs of the flow in every namespace; `runs` holds those matching the query, at most `limit`. */
  total: number;
  matched: number;
  truncated: boolean;
  /** Facets over every run of the flow, for the filter controls. */
  namespaces: string[];
  tags: string[];
  paramNames: string[];
}

/** A step (or group) of a run page. */
export interface StepView {
  /** Qualified name (`per_fold.fit`). */
  step: string;
  parent: string | null;
  group: boolean;
  foreach: boolean;
  needs: string[];
  state: StepState;
  /** Tasks planned so far (grows while a fan-out expands); 0 for a group. */
  total: number;
  counts: Partial<Record<TaskStatus, number>>;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
}

/** One task on a run page (a compact TaskJson). */
export interface TaskRow {
  step: string;
  taskId: string;
  state: TaskStatus;
  /** The foreach item as short JSON text; null when not fanned out. */
  item: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  attempts: number;
  reason: string | null;
  caught: boolean;
  /** `runId/step/taskId` of the task whose outputs a cached task reuses. */
  cachedFrom: string | null;
}

export interface FailureView {
  step: string;
  taskId: string;
  state: TaskStatus;
  reason: string | null;
  caught: boolean;
  attempts: number;
  /** The last lines the task wrote (stderr, else stdout), when known. */
  lastLines: string[];
}

export interface ValuesRow {
  step: string;
  taskId: string;
  values: Record<string, unknown>;
}

/** GET /api/runs/:flow/:runId: everything the run page shows. */
export interface RunSnapshot {
  run: RunJson & { status: RunStatus };
  /** Groups and steps in flow order (groups before their steps). */
  steps: StepView[];
  /** Every task by step (leaf steps only). */
  tasks: Record<string, TaskRow[]>;
  /** Failed tasks, uncaught first. */
  failures: FailureView[];
  /** Values of tasks that published any (at most `valuesLimit`). */
  values: ValuesRow[];
  valuesTruncated: boolean;
  /** Offset in the run's events where the live stream continues; null when the run has finished. */
  eventsOffset: number | null;
}

/** GET /api/runs/:flow/:runId/steps/:step/tasks/:taskId */
export interface TaskDetail {
  task: TaskJson;
  attempts: AttemptJson[];
  /** A cached or resumed task's logs are those of the task that really ran: its pathspec and attempts. */
  logsOf: { pathspec: string; flow: string; runId: string; step: string; taskId: string; attempts: AttemptJson[] } | null;
  artifacts: ArtifactJson[];
  /** Reused from where, or why it ran: what changed since the closest earlier task of its step (`task.cacheStatus()`). */
  cache: CacheStatus;
}

export type PreviewKind = 'text' | 'json' | 'table' | 'image' | 'html' | 'binary' | 'dir';

/** GET /api/artifact?task=…&path=… */
export interface ArtifactView extends ArtifactJson {
  preview: PreviewKind;
  /** MIME type the raw bytes are served with. */
  contentType: string;
}

/** GET /api/artifact/table */
export interface TablePreview {
  columns: string[];
  rows: string[][];
  /** More rows follow the ones returned (at most 1,000 are). */
  truncated: boolean;
  delimiter: string;
}

/** GET /api/compare?runs=FLOW/ID,… */
export interface CompareView {
  runs: Array<RunJson & { status: RunStatus }>;
  /** Union of param names; values per run in `runs` order. */
  params: Array<{ name: string; values: unknown[]; differs: boolean }>;
  /** Values published by tasks, keyed `step/taskId.name` (`step.name` for single-task steps). */
  values: Array<{ key: string; values: unknown[]; differs: boolean; numeric: boolean }>;
  /** Outputs whose content differs between runs (or exists in some only): sha256 per run, null when absent. */
  outputs: Array<{ key: string; sha256: Array<string | null>; sizes: Array<number | null> }>;
  /** Step durations (ms) per run; null when the step did not run. */
  durations: Array<{ step: string; values: Array<number | null> }>;
  truncated: boolean;
}

/** Events the live run stream sends (`event: events`): the run's own events, log lines left out. */
export interface LiveEvents {
  events: Array<{ type: string; time: string; [field: string]: unknown }>;
  offset: number;
}
