/**
 * The run engine: walks the flow's DAG (groups and fan-outs included), turns ready steps
 * into tasks, and dispatches them to the task runner within `--max-workers` and the
 * declared CPU/memory. It owns run state only; every effect (processes, store) happens in
 * the injected TaskRunner, and everything it decides is announced as an event.
 */
import { setMaxListeners } from 'node:events';
import { evaluate, isTruthy } from '../spec/expr/index.js';
import type { ExprContext } from '../spec/expr/ast.js';
import type { FlowSpec, StepSpec, TaskStepSpec } from '../spec/types.js';
import type { OutputEntry, TaskState } from '../store/records.js';
import { executorKindOf, runsOnThisMachine } from '../executors/port.js';
import { expandForeach, taskIdFor } from '../graph/foreach.js';
import { createScope, type NodeOutcome, type Scope, type StepNode, type TaskNode } from '../graph/graph-state.js';
import {
  expressionContext, placeholderTask, planInstances, planTasks, usesItem,
  type PreparedTask, type TaskStepNode,
} from '../graph/plan-tasks.js';
import type { SecretPolicy } from '../graph/secret-env.js';
import { StepStats } from './step-stats.js';
import { TaskQueue } from './task-queue.js';
import type { RunEventInput } from './event-bus.js';

export type { PreparedTask } from '../graph/plan-tasks.js';

/** How a task ended, for the engine to apply to its node. */
export interface TaskOutcome {
  state: Extract<TaskState, 'succeeded' | 'failed' | 'cached' | 'interrupted'>;
  values: Record<string, unknown>;
  outputs: OutputEntry[];
  reason?: string;
  caught?: boolean;
}

/** What the engine needs from whoever runs tasks (a fake in engine tests). */
export interface TaskRunner {
  /**
   * Runs (or reuses) the task; never mutates it. `runFailed` is aborted once the run has failed
   * (an uncaught task failure): nothing new starts, so remote work not started yet may be ended.
   */
  run(task: Readonly<TaskNode>, prepared: PreparedTask, signal: AbortSignal, killSignal: AbortSignal, runFailed?: AbortSignal): Promise<TaskOutcome>;
  /** Records a task the engine decided without running (skipped, or failed before start). */
  record(task: Readonly<TaskNode>): Promise<void>;
  /**
   * Only for runners that do not run tasks (the dry run): a reason when a ready step's `if:`,
   * `foreach:` or command reads values that no task has really produced. The engine then
   * completes the step without tasks, as succeeded, so the walk goes on downstream.
   */
  unresolved?(node: Readonly<StepNode>): string | undefined;
}

export interface EngineOptions {
  spec: FlowSpec;
  runId: string;
  params: Record<string, unknown>;
  maxWorkers: number;
  cpuBudget: number;
  memoryBudgetMb: number;
  runner: TaskRunner;
  emit(e: RunEventInput): void;
  /** The run's secret params: values that hold one reach tasks through env, never in a command. */
  secrets?: SecretPolicy;
}

export interface EngineResult {
  counts: Partial<Record<TaskState, number>>;
  caughtFailures: number;
  failed: boolean;
  interrupted: boolean;
  /** A bug or store failure that stopped the run. */
  error?: string;
}

export class RunEngine {
  private readonly queue = new TaskQueue<TaskNode>();
  private readonly stats = new StepStats();
  private readonly counts: Partial<Record<TaskState, number>> = {};
  private readonly abort = new AbortController();
  private readonly kill = new AbortController();
  private readonly failed = new AbortController();
  private running = 0;
  /** Running tasks that use this machine: `--max-workers` bounds these only (remote ones wait on their service's queue). */
  private localRunning = 0;
  /** Queued tasks that run elsewhere: while there are none, a full machine ends dispatch at once. */
  private remoteQueued = 0;
  private cpuUsed = 0;
  private memUsed = 0;
  private caughtFailures = 0;
  private failing = false;
  private interrupted = false;
  private error?: string;
  private resolveDone?: () => void;

  constructor(private readonly o: EngineOptions) {
    // Every running task listens on both signals; Node's leak warning (past 10) would only add noise to progress output.
    setMaxListeners(0, this.abort.signal, this.kill.signal, this.failed.signal);
  }

  async run(): Promise<EngineResult> {
    const done = new Promise<void>((resolve) => (this.resolveDone = resolve));
    const top = createScope(this.o.spec.steps, '', { indices: [], items: [], inherited: new Map(), inheritedStaging: [] });
    this.noteCreated(top);
    this.activateReady(top);
    this.pump();
    await done;
    return {
      counts: this.counts,
      caughtFailures: this.caughtFailures,
      failed: this.failing,
      interrupted: this.interrupted,
      error: this.error,
    };
  }

  /** Ctrl-C: stop starting tasks and end the running ones (kill=true: no grace period). */
  interrupt(kill = false): void {
    this.interrupted = true;
    this.clearQueue();
    if (!this.abort.signal.aborted) this.abort.abort('interrupt');
    if (kill) this.kill.abort('kill');
    this.pump();
  }

  // ---- activation: deciding what a ready step becomes ----

  private activateReady(scope: Scope): void {
    if (this.failing || this.interrupted) return;
    for (const node of scope.nodes.values()) {
      if (node.status !== 'waiting') continue;
      if (node.spec.needs.every((n) => scope.nodes.get(n)?.status === 'done')) this.activate(node);
    }
  }

  private activate(node: StepNode): void {
    node.status = 'active';
    const stat = this.stats.get(node.path);
    stat.unexpanded--;
    if (stat.startedAt === undefined) {
      stat.startedAt = Date.now();
      this.o.emit({ type: 'step-started', step: node.path });
    }
    const needs = node.spec.needs.map((n) => node.scope.nodes.get(n)!);
    const skippedNeed = needs.find((n) => n.outcome === 'skipped');
    if (skippedNeed && !node.spec.if) return this.skipNode(node, `upstream step '${skippedNeed.path}' was skipped`);
    const unresolved = this.o.runner.unresolved?.(node);
    if (unresolved) return this.deferNode(node, unresolved);

    const ctx = expressionContext(node, this.o.params, { id: this.o.runId, flow: this.o.spec.name });
    let items: unknown[] | undefined;
    try {
      const ifSpec = node.spec.if;
      if (ifSpec && !(node.fanned && usesItem(ifSpec.expr)) && !isTruthy(evaluate(ifSpec.expr, ctx))) {
        return this.skipNode(node, `if: ${ifSpec.source} was false`);
      }
      if (node.spec.foreach) items = expandForeach(node.spec.foreach, ctx);
    } catch (e) {
      return this.failNode(node, errorMessage(e));
    }
    if (node.spec.kind === 'task') this.createTasks(node as TaskStepNode, ctx, items);
    else this.createInstances(node, items);
    this.afterStructureChange(node);
  }

  private createTasks(node: TaskStepNode, ctx: ExprContext, items?: unknown[]): void {
    const plan = planTasks(node, ctx, items, this.o.secrets);
    node.tasks.push(...plan.tasks);
    node.remaining = plan.tasks.length;
    const stat = this.stats.get(node.path);
    stat.tasks += plan.tasks.length;
    this.o.emit({ type: 'step-planned', step: node.path, tasks: stat.tasks });
    const remote = !runsOnThisMachine(executorKindOf(node.spec));
    for (const { task, prepared } of plan.runnable) this.queue.push(task, prepared);
    if (remote) this.remoteQueued += plan.runnable.length;
    if (plan.tasks.length === 0) this.completeNode(node);
    for (const t of plan.decided) void this.settleWithoutRunning(t);
  }

  private createInstances(node: StepNode, items?: unknown[]): void {
    const instances = planInstances(node, items);
    node.instances.push(...instances);
    node.remaining = instances.length;
    for (const inst of instances) this.noteCreated(inst);
    if (instances.length === 0) return this.completeNode(node);
    for (const inst of instances) this.activateReady(inst);
  }

  private skipNode(node: StepNode, reason: string): void {
    node.reason = reason;
    if (node.spec.kind === 'task') {
      const task = this.placeholder(node as TaskStepNode, 'skipped', reason);
      void this.settleWithoutRunning(task);
    } else {
      node.outcome = 'skipped';
      this.completeNode(node, 'skipped');
    }
    this.afterStructureChange(node);
  }

  private deferNode(node: StepNode, reason: string): void {
    node.reason = reason;
    this.completeNode(node, 'succeeded');
    this.afterStructureChange(node);
  }

  private failNode(node: StepNode, reason: string): void {
    node.reason = reason;
    if (node.spec.kind === 'task') {
      const task = this.placeholder(node as TaskStepNode, 'failed', reason);
      task.caught = node.spec.catch;
      void this.settleWithoutRunning(task);
    } else {
      this.o.emit({ type: 'task-finished', step: node.path, taskId: taskIdFor(node.scope.indices), state: 'failed', durationMs: 0, reason });
      this.failing = true;
      this.clearQueue();
      this.completeNode(node, 'failed');
    }
    this.afterStructureChange(node);
  }

  /** Record a step decided before fan-out as one task (skipped, or its foreach failed). */
  private placeholder(node: TaskStepNode, state: TaskState, reason: string): TaskNode {
    const task = placeholderTask(node, state, reason);
    node.tasks.push(task);
    node.remaining = 1;
    this.stats.get(node.path).tasks += 1;
    return task;
  }

  private async settleWithoutRunning(task: TaskNode): Promise<void> {
    this.running++;
    try {
      await this.o.runner.record(task);
    } catch (e) {
      this.fatal(e);
    }
    this.running--;
    this.finishTask(task);
    this.pump();
  }

  // ---- dispatch ----

  private pump(): void {
    if (this.failing || this.interrupted) {
      this.clearQueue();
      if (this.failing && !this.interrupted && !this.failed.signal.aborted) this.failed.abort('run-failed');
    }
    while (this.queue.size > 0 && (this.localRunning < this.o.maxWorkers || this.remoteQueued > 0)) {
      const next = this.queue.takeFirst((t) => this.fits(t.node.spec));
      if (!next) break;
      this.start(next.item, next.prepared);
    }
    if (this.running === 0 && this.queue.size === 0) this.resolveDone?.();
  }

  private fits(spec: TaskStepSpec): boolean {
    if (!runsOnThisMachine(executorKindOf(spec))) return true;
    if (this.localRunning >= this.o.maxWorkers) return false;
    if (this.localRunning === 0) return true;
    const { cpu, mem } = this.demand(spec);
    return this.cpuUsed + cpu <= this.o.cpuBudget && this.memUsed + mem <= this.o.memoryBudgetMb;
  }

  private start(task: TaskNode, prepared: PreparedTask): void {
    const { cpu, mem } = this.demand(task.node.spec);
    const local = runsOnThisMachine(executorKindOf(task.node.spec)) ? 1 : 0;
    if (!local) this.remoteQueued--;
    this.running++;
    this.localRunning += local;
    this.cpuUsed += cpu;
    this.memUsed += mem;
    task.state = 'running';
    this.o.runner
      .run(task, prepared, this.abort.signal, this.kill.signal, this.failed.signal)
      .then((outcome) => {
        task.state = outcome.state;
        task.values = outcome.values;
        task.outputs = outcome.outputs;
        task.reason = outcome.reason;
        task.caught = outcome.caught;
      })
      .catch((e) => {
        task.state = 'failed';
        task.reason = errorMessage(e);
        this.fatal(e);
      })
      .finally(() => {
        this.running--;
        this.localRunning -= local;
        this.cpuUsed -= cpu;
        this.memUsed -= mem;
        this.finishTask(task);
        this.pump();
      });
  }

  /** What a task takes of this machine: nothing for remote executors (their tasks run elsewhere). */
  private demand(spec: TaskStepSpec): { cpu: number; mem: number } {
    if (!runsOnThisMachine(executorKindOf(spec))) return { cpu: 0, mem: 0 };
    return { cpu: Math.min(spec.resources.cpu, this.o.cpuBudget), mem: Math.min(spec.resources.memory, this.o.memoryBudgetMb) };
  }

  private clearQueue(): void {
    this.queue.clear();
    this.remoteQueued = 0;
  }

  private fatal(e: unknown): void {
    this.error ??= errorMessage(e);
    this.failing = true;
    this.clearQueue();
  }

  // ---- completion: propagating a finished task up through nodes and scopes ----

  private finishTask(task: TaskNode): void {
    const node = task.node;
    this.counts[task.state] = (this.counts[task.state] ?? 0) + 1;
    const stat = this.stats.get(node.path);
    stat.counts[task.state] = (stat.counts[task.state] ?? 0) + 1;
    if (task.state === 'failed') {
      if (task.caught) this.caughtFailures++;
      else if (!this.interrupted) {
        this.failing = true;
        this.clearQueue();
      }
    }
    node.remaining--;
    if (node.remaining === 0) this.completeNode(node);
  }

  private completeNode(node: StepNode, outcome?: NodeOutcome): void {
    node.status = 'done';
    node.outcome = outcome ?? aggregate(node);
    const stat = this.stats.get(node.path);
    stat.done++;
    stat.outcomes.add(node.outcome);
    this.maybeFinishSteps(node.spec, node.path);
    const scope = node.scope;
    scope.remaining--;
    if (scope.remaining === 0 && scope.owner) {
      scope.owner.remaining--;
      if (scope.owner.remaining === 0) this.completeNode(scope.owner);
    } else {
      this.activateReady(scope);
    }
  }

  private noteCreated(scope: Scope): void {
    const parent = scope.owner?.path;
    for (const node of scope.nodes.values()) {
      const s = this.stats.get(node.path, parent);
      s.created++;
      s.unexpanded++;
    }
  }

  private afterStructureChange(node: StepNode): void {
    this.maybeFinishSteps(node.spec, node.path);
  }

  /** Emit step-finished for this step and any step nested in it that just became complete. */
  private maybeFinishSteps(spec: StepSpec, path: string): void {
    const s = this.stats.takeFinished(path);
    if (s) {
      const outcome = StepStats.outcome(s);
      // A step whose only non-successes are tasks stopped by Ctrl-C is interrupted, not failed.
      const interrupted = outcome === 'failed' && (s.counts.interrupted ?? 0) > 0 && !s.counts.failed;
      this.o.emit({
        type: 'step-finished', step: path, state: interrupted ? 'interrupted' : outcome === 'caught' ? 'caught' : outcomeState(outcome),
        counts: s.counts, durationMs: Date.now() - (s.startedAt ?? Date.now()),
      });
    }
    if (spec.kind === 'group') for (const child of spec.steps) this.maybeFinishSteps(child, `${path}.${child.name}`);
  }
}

function aggregate(node: StepNode): NodeOutcome {
  const outcomes: NodeOutcome[] = node.spec.kind === 'task'
    ? node.tasks.map((t) => (t.state === 'failed' || t.state === 'interrupted' ? (t.caught ? 'caught' : 'failed') : t.state === 'skipped' ? 'skipped' : 'succeeded'))
    : node.instances.flatMap((i) => [...i.nodes.values()].map((n) => n.outcome ?? 'failed'));
  if (outcomes.includes('failed')) return 'failed';
  if (outcomes.includes('caught')) return 'caught';
  if (outcomes.length > 0 && outcomes.every((o) => o === 'skipped')) return 'skipped';
  return 'succeeded';
}

function outcomeState(o: NodeOutcome): TaskState {
  return o === 'caught' ? 'failed' : o;
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
