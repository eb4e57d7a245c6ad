/**
 * The in-memory shape of a run: scopes (the top-level flow, or one instance of a group),
 * step nodes (one step inside one scope) and task nodes (one task of a step node).
 * Groups nest, so a scope is owned by a group node of the enclosing scope.
 */
import type { OutputEntry, TaskState } from '../store/records.js';
import type { StepSpec, TaskStepSpec } from '../spec/types.js';

/** An upstream output as a consumer's task dir sees it: `rel` is its path there. */
export interface StageEntry {
  rel: string;
  entry: OutputEntry;
  /** The qualified step whose task produced it (for messages; not part of any key). */
  from?: string;
}

export type NodeOutcome = 'succeeded' | 'failed' | 'caught' | 'skipped';

export interface TaskNode {
  node: StepNode & { spec: TaskStepSpec };
  /** Fan-out indices of every enclosing fanned scope and of the step itself, outermost first. */
  indices: number[];
  taskId: string;
  /** The step's own fan-out index, when the step itself fans out. */
  index?: number;
  /** The innermost foreach item visible to the task (its own, else its group's). */
  item: unknown;
  hasItem: boolean;
  items: unknown[];
  state: TaskState;
  values: Record<string, unknown>;
  outputs: OutputEntry[];
  caught?: boolean;
  reason?: string;
}

export interface StepNode {
  spec: StepSpec;
  /** Qualified name (`per_fold.fit`). */
  path: string;
  scope: Scope;
  status: 'waiting' | 'active' | 'done';
  outcome?: NodeOutcome;
  fanned: boolean;
  tasks: TaskNode[];
  instances: Scope[];
  /** Tasks or instances not finished yet. */
  remaining: number;
  reason?: string;
}

export interface Scope {
  /** The group node this scope is an instance of; undefined for the top-level flow. */
  owner?: StepNode;
  /** This instance's index when its group fans out. */
  index?: number;
  indices: number[];
  items: unknown[];
  nodes: Map<string, StepNode>;
  /** Upstream nodes of enclosing scopes that expressions here may name (`steps.split…`). */
  inherited: Map<string, StepNode>;
  /** Inputs every task in this scope sees because the group needs them. */
  inheritedStaging: StageEntry[];
  remaining: number;
}

export function createScope(steps: StepSpec[], parentPath: string, init: Omit<Scope, 'nodes' | 'remaining'>): Scope {
  const scope: Scope = { ...init, nodes: new Map(), remaining: steps.length };
  for (const spec of steps) {
    scope.nodes.set(spec.name, {
      spec,
      path: parentPath ? `${parentPath}.${spec.name}` : spec.name,
      scope,
      status: 'waiting',
      fanned: spec.foreach !== undefined,
      tasks: [],
      instances: [],
      remaining: 0,
    });
  }
  return scope;
}

/** Values as expressions see them: a fanned-out step's values are lists in item order. */
export function valuesOf(node: StepNode): Record<string, unknown> {
  if (node.spec.kind === 'group') return {};
  if (!node.fanned) return node.tasks[0]?.values ?? {};
  const names = new Set<string>();
  for (const t of node.tasks) for (const k of Object.keys(t.values)) names.add(k);
  const out: Record<string, unknown> = {};
  for (const k of names) out[k] = node.tasks.map((t) => (k in t.values ? t.values[k] : null));
  return out;
}

/**
 * What a value name no task set reads as (ExprContext's `unsetValue`): for a fanned-out step
 * none of whose tasks succeeded, one null per item, so a join after an empty fan-out sees `[]`.
 * Undefined otherwise, so a misspelt name after tasks that ran stays an error.
 */
export function unsetValueOf(node: StepNode): unknown[] | undefined {
  if (node.spec.kind === 'group' || !node.fanned) return undefined;
  if (node.tasks.some((t) => t.state === 'succeeded' || t.state === 'cached')) return undefined;
  // A placeholder (the step was skipped or its foreach failed before fanning out) has no item.
  return node.tasks.filter((t) => t.index !== undefined).map(() => null);
}

export function stateOf(node: StepNode): string {
  switch (node.outcome) {
    case 'caught':
      return 'failed';
    case undefined:
      return node.status === 'done' ? 'succeeded' : 'pending';
    default:
      return node.outcome;
  }
}

/** Sinks of a sibling list: steps no sibling needs. A group exports its sinks' outputs. */
export function sinkNames(steps: StepSpec[]): string[] {
  const needed = new Set(steps.flatMap((s) => s.needs));
  return steps.filter((s) => !needed.has(s.name)).map((s) => s.name);
}

/**
 * What a downstream task sees of a finished node (DESIGN.md §2): a single task's outputs at
 * their paths, a fanned-out step's under `<step>/<index>/`, a group's sinks' exports (under
 * `<group>/<index>/` when the group fans out).
 */
export function exportsOf(node: StepNode): StageEntry[] {
  const out: StageEntry[] = [];
  if (node.spec.kind === 'task') {
    for (const t of node.tasks) {
      if (t.state !== 'succeeded' && t.state !== 'cached') continue;
      const prefix = node.fanned ? `${node.spec.name}/${t.index}/` : '';
      for (const e of t.outputs) out.push({ rel: prefix + e.path, entry: e, from: node.path });
    }
    return out;
  }
  const sinks = sinkNames(node.spec.steps);
  for (const inst of node.instances) {
    const prefix = node.fanned ? `${node.spec.name}/${inst.index}/` : '';
    for (const s of sinks) {
      const child = inst.nodes.get(s);
      if (child) for (const e of exportsOf(child)) out.push({ rel: prefix + e.rel, entry: e.entry, from: e.from });
    }
  }
  return out;
}
