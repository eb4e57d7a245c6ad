/**
 * Pure planning for the engine: what a ready step becomes — its tasks (with commands and
 * env rendered, and per-item `if:` decided) or its group instances — and what each task
 * sees (expression context, staged inputs). No I/O, no events: engine.ts applies the plans.
 */
import { collectRefs, evaluate, isTruthy, renderTemplate } from '../spec/expr/index.js';
import type { Expr, ExprContext } from '../spec/expr/ast.js';
import type { TaskStepSpec } from '../spec/types.js';
import type { TaskState } from '../store/records.js';
import { taskIdFor } from './foreach.js';
import { createScope, exportsOf, stateOf, unsetValueOf, valuesOf, type Scope, type StageEntry, type StepNode, type TaskNode } from './graph-state.js';
import { renderShellCommand } from './render-command.js';
import { SecretEnv, type SecretPolicy } from './secret-env.js';

/** What the engine hands the task runner: everything rendered, nothing left to decide. */
export interface PreparedTask {
  /** Holds no secret: those are references to `FLOW_SECRET_<n>` variables of `env`. */
  command: string;
  /** The step's `env:`, rendered, plus the `FLOW_SECRET_<n>` variables the command refers to. */
  env: Record<string, string>;
  staging: StageEntry[];
}

export type TaskStepNode = StepNode & { spec: TaskStepSpec };

export interface TaskPlan {
  tasks: TaskNode[];
  /** Tasks to run, in item order. */
  runnable: Array<{ task: TaskNode; prepared: PreparedTask }>;
  /** Tasks decided without running: skipped by a per-item `if:`, or failed to render. */
  decided: TaskNode[];
}

/** The expression context of a step: params, every finished step it can see, its scope's item. */
export function expressionContext(node: StepNode, params: Record<string, unknown>, run: ExprContext['run']): ExprContext {
  const steps: ExprContext['steps'] = {};
  const add = (name: string, n: StepNode) => {
    if (n.status === 'done') steps[name] = { values: valuesOf(n), state: stateOf(n), unsetValue: unsetValueOf(n) };
  };
  for (const [name, n] of node.scope.inherited) add(name, n);
  for (const [name, n] of node.scope.nodes) add(name, n);
  const items = node.scope.items;
  return { params, steps, item: items.length > 0 ? items[items.length - 1] : undefined, items, run };
}

/** Inputs of a step's tasks: what its group needs, then the exports of each of its needs. */
export function stagingFor(node: StepNode): StageEntry[] {
  const { scope } = node;
  return [...scope.inheritedStaging, ...node.spec.needs.flatMap((n) => exportsOf(scope.nodes.get(n)!))];
}

/** `secrets`: when the run has secret params, values holding one are moved out of commands (see secret-env.ts). */
export function planTasks(node: TaskStepNode, ctx: ExprContext, items: unknown[] | undefined, secrets?: SecretPolicy): TaskPlan {
  const { spec } = node;
  const staging = stagingFor(node);
  const count = items ? items.length : 1;
  const plan: TaskPlan = { tasks: [], runnable: [], decided: [] };
  const perItemIf = spec.if && items !== undefined && usesItem(spec.if.expr) ? spec.if : undefined;
  for (let i = 0; i < count; i++) {
    const task = newTask(node, items ? { index: i, item: items[i] } : undefined);
    plan.tasks.push(task);
    const tctx: ExprContext = { ...ctx, item: task.hasItem ? task.item : undefined, items: task.items };
    try {
      if (perItemIf && !isTruthy(evaluate(perItemIf.expr, tctx))) {
        task.state = 'skipped';
        task.reason = `if: ${perItemIf.source} was false`;
        plan.decided.push(task);
        continue;
      }
      const env = Object.fromEntries(Object.entries(spec.env).map(([k, t]) => [k, renderTemplate(t.template, tctx, { quote: false })]));
      const secretEnv = secrets && new SecretEnv(secrets, new Set(Object.keys(env)));
      const command = renderShellCommand(spec.run.template, tctx, secretEnv);
      if (secretEnv) Object.assign(env, secretEnv.vars);
      plan.runnable.push({ task, prepared: { command, env, staging } });
    } catch (e) {
      task.state = 'failed';
      task.reason = e instanceof Error ? e.message : String(e);
      task.caught = spec.catch;
      plan.decided.push(task);
    }
  }
  return plan;
}

/** One scope per item of a group (one when it does not fan out). */
export function planInstances(node: StepNode, items: unknown[] | undefined): Scope[] {
  if (node.spec.kind !== 'group') return [];
  const { scope } = node;
  const inherited = new Map(scope.inherited);
  for (const [name, n] of scope.nodes) if (n.status === 'done') inherited.set(name, n);
  const inheritedStaging = stagingFor(node);
  const count = items ? items.length : 1;
  const out: Scope[] = [];
  for (let i = 0; i < count; i++) {
    const own = items !== undefined;
    out.push(createScope(node.spec.steps, node.path, {
      owner: node,
      index: own ? i : undefined,
      indices: own ? [...scope.indices, i] : scope.indices,
      items: own ? [...scope.items, items[i]] : scope.items,
      inherited,
      inheritedStaging,
    }));
  }
  return out;
}

/** A single task standing for a step decided before fan-out (skipped, or its foreach failed). */
export function placeholderTask(node: TaskStepNode, state: TaskState, reason: string): TaskNode {
  const task = newTask(node, undefined);
  task.state = state;
  task.reason = reason;
  return task;
}

function newTask(node: TaskStepNode, own: { index: number; item: unknown } | undefined): TaskNode {
  const { scope } = node;
  const indices = own ? [...scope.indices, own.index] : scope.indices;
  return {
    node,
    indices,
    taskId: taskIdFor(indices),
    index: own?.index,
    item: own ? own.item : scope.items[scope.items.length - 1],
    hasItem: own !== undefined || scope.items.length > 0,
    items: own ? [...scope.items, own.item] : scope.items,
    state: 'pending',
    values: {},
    outputs: [],
  };
}

export function usesItem(expr: Expr): boolean {
  return collectRefs(expr).some((r) => r.root === 'item' || r.root === 'items');
}
