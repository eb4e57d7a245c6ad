/**
 * The typed, normalized flow spec produced by `loadFlow` (src/spec/load.ts).
 * Defaults are merged into every task step; durations are milliseconds; every node
 * keeps the source location it came from so later errors can point at the file.
 */
import type { SourceLoc } from '../errors.js';
import type { Expr, Template } from './expr/ast.js';

export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'list' | 'object';

export interface ParamSpec {
  name: string;
  type: ParamType;
  /** undefined when the param has no default (then it is required). */
  default?: unknown;
  required: boolean;
  description?: string;
  secret: boolean;
  minimum?: number;
  maximum?: number;
  /** Allowed values. */
  enum?: unknown[];
  loc: SourceLoc;
}

export interface RetrySpec {
  /** Total attempts including the first (1 = no retry). */
  maxAttempts: number;
  delayMs: number;
  backoff: 'fixed' | 'exponential';
  maxDelayMs: number;
}

/** Where a step's jobs run on AWS Batch (`batch:`, merged key by key with `defaults.batch`). */
export interface BatchSpec {
  /** Job queue; undefined: `--batch-queue`, else FLOWCTL_BATCH_QUEUE. */
  queue?: string;
  jobRole?: string;
  executionRole?: string;
  platform: 'EC2' | 'FARGATE';
  assignPublicIp: boolean;
  /** Secret param name → ARN of a Secrets Manager secret or SSM parameter holding its value. */
  secrets: Record<string, string>;
}

export interface ResourcesSpec {
  cpu: number;
  /** MiB */
  memory: number;
  gpu: number;
}

/** An expression-or-literal: a YAML value that was either a literal or a whole `${{ … }}` string. */
export type ValueSpec = { kind: 'literal'; value: unknown; loc: SourceLoc } | { kind: 'expr'; expr: Expr; source: string; loc: SourceLoc };

export type ForeachSpec =
  | { kind: 'list'; items: ValueSpec; loc: SourceLoc }
  /** Cartesian product of named axes; each item is an object `{axis: value, …}`, first axis varies slowest. */
  | { kind: 'matrix'; axes: Array<{ name: string; values: ValueSpec }>; loc: SourceLoc };

export interface TemplateSpec {
  template: Template;
  /** The raw string from the file. */
  raw: string;
  loc: SourceLoc;
}

interface StepCommon {
  /** Name within its parent (`fit`). */
  name: string;
  /** Qualified name, parent names joined by `.` (`per_fold.fit`); unique in the flow, used in the store and CLI. */
  path: string;
  description?: string;
  /** Sibling step names this step depends on. */
  needs: string[];
  foreach?: ForeachSpec;
  if?: { expr: Expr; source: string; loc: SourceLoc };
  loc: SourceLoc;
}

export interface TaskStepSpec extends StepCommon {
  kind: 'task';
  run: TemplateSpec;
  shell: 'sh' | 'bash';
  /** Relative paths of files or directories collected from the task dir on success. */
  outputs: string[];
  env: Record<string, TemplateSpec>;
  image?: string;
  /** When the image is pulled: once per run (`always`), only when absent (`missing`, the default), or `never`. */
  pull: 'always' | 'missing' | 'never';
  /** Container network (`--network`); undefined: the runtime's default. */
  network?: string;
  executor: 'local' | 'batch';
  /** AWS Batch settings, when the step or defaults: set `batch:` (used only when the step runs on Batch). */
  batch?: BatchSpec;
  /** Where these settings were written (the step itself or defaults:), for messages about them. */
  settingLocs?: { image?: SourceLoc; executor?: SourceLoc; pull?: SourceLoc; network?: SourceLoc; batch?: SourceLoc };
  resources: ResourcesSpec;
  retry: RetrySpec;
  /** undefined = no timeout */
  timeoutMs?: number;
  catch: boolean;
  cache: boolean;
  /** Globs of project files that count toward the cache key; undefined = all project code. */
  deps?: string[];
  /**
   * Params the task reads as `FLOW_PARAM_<NAME>` (and so the ones its cache key covers besides
   * those its rendered command carries); undefined = all of them.
   */
  params?: string[];
}

export interface GroupStepSpec extends StepCommon {
  kind: 'group';
  /** Child steps in file order. */
  steps: StepSpec[];
}

export type StepSpec = TaskStepSpec | GroupStepSpec;

export interface FlowSpec {
  version: 1;
  name: string;
  description?: string;
  /** Absolute path of the flow file. */
  file: string;
  /** Absolute path of the project root (flow file's dir, or `root:` relative to it). */
  root: string;
  params: ParamSpec[];
  /** Top-level steps in file order. */
  steps: StepSpec[];
  /** sha256 of the flow file's bytes. */
  specHash: string;
}
