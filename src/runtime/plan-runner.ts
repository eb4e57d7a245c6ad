/**
 * The TaskRunner of `--dry-run`: it decides each task without running it, and the real engine
 * walks the DAG with it. A task is `cached` when a real run would reuse earlier work (the same
 * lookups as StoreTaskRunner: a resume's clone, then the cache), and then hands on the real
 * outputs and values, so downstream identities are the real ones. Otherwise it `would run`:
 * it is reported to the engine as succeeded with no outputs, and remembered, so every task
 * downstream of it is "would run (upstream X runs)" instead of a key computed on missing
 * inputs, and every step whose `foreach:`/`if:`/command reads its values is left to run time.
 * Nothing is written anywhere.
 */
import type { CacheExplainer, CacheStatus, ExplainFacts } from '../graph/cache-status.js';
import { notReusedStatus, reusedStatus } from '../graph/cache-status.js';
import type { KeyHasher, TaskIdentity } from '../graph/cache-key.js';
import { taskIdFor } from '../graph/foreach.js';
import type { StepNode, TaskNode } from '../graph/graph-state.js';
import type { PreparedTask } from '../graph/plan-tasks.js';
import { stepsRead, upstreamNodes, visibleNode } from '../graph/step-refs.js';
import type { CodeFile } from '../store/manifest.js';
import type { Store } from '../store/store.js';
import type { Masker } from '../task/mask.js';
import type { TaskOutcome, TaskRunner } from './engine.js';
import { TaskReuse, type ReusePolicy } from './reuse.js';
import { TaskIdentities } from './task-identity.js';
import { executorKindOf } from '../executors/port.js';
import type { ImageResolver } from '../executors/container/images.js';

/** What a dry run says of one task. */
export interface PlannedTask {
  step: string;
  taskId: string;
  /** The foreach item (secrets masked); null when the task has none. */
  item: unknown;
  /** `would-fail`: it cannot even start (its command does not render); the run would stop there. */
  state: 'would-run' | 'cached' | 'skipped' | 'would-fail';
  /** The rendered command (secrets masked); null when it is not known before run time. */
  command: string | null;
  /** null when not known before run time (an upstream task would run first). */
  cacheKey: string | null;
  /** Why it is skipped or would fail. */
  reason: string | null;
  /** Reused from where, or why it would run; null for skipped and failing tasks. */
  cache: CacheStatus | null;
}

export interface PlanningRunnerOptions {
  store: Store;
  flow: string;
  code: { files: CodeFile[] };
  flowFile: string;
  /** Real values (for keys); `maskedParams` is what explanations show. */
  params: Record<string, unknown>;
  maskedParams: Record<string, unknown>;
  masker: Masker;
  hasher: KeyHasher;
  reuse: ReusePolicy;
  explainer: CacheExplainer;
}

export class PlanningRunner implements TaskRunner {
  readonly tasks: PlannedTask[] = [];
  /** Steps (qualified) whose fan-out or `if:` is only known at run time, with why. */
  readonly deferred = new Map<string, string>();
  /** Every step node the engine activated, in order (their outcome and reason are read afterwards). */
  readonly nodes: StepNode[] = [];
  private readonly unknownNodes = new Set<StepNode>();
  private readonly pending = new Set<TaskNode>();
  private readonly reuse: TaskReuse;
  private readonly identities: TaskIdentities;
  private images?: Promise<ImageResolver>;

  constructor(private readonly o: PlanningRunnerOptions) {
    this.reuse = new TaskReuse(o.store, o.flow, o.reuse);
    this.identities = new TaskIdentities(o);
  }

  unresolved(node: Readonly<StepNode>): string | undefined {
    const n = node as StepNode;
    this.nodes.push(n);
    const unknown = stepsRead(n.spec).map((name) => visibleNode(n, name)).filter((u): u is StepNode => !!u && this.wouldRun(u)).map((u) => u.path);
    if (unknown.length === 0) return undefined;
    this.unknownNodes.add(n);
    const after = `it reads values of ${unknown.join(', ')}, which ${unknown.length === 1 ? 'runs' : 'run'} first`;
    if (n.spec.kind === 'task' && !n.spec.foreach && !n.spec.if) {
      // One task whose command reads values not produced yet: it would run, once they are.
      this.tasks.push(this.entry(n, taskIdFor(n.scope.indices), undefined, 'would-run', {
        cache: notReusedStatus('would-run', 'upstream', { step: n.path, upstream: unknown }),
      }));
      return after;
    }
    const reason = n.spec.foreach ? `fans out at run time: ${after}` : `decides if: ${n.spec.if!.source} at run time: ${after}`;
    this.deferred.set(n.path, reason);
    return reason;
  }

  async run(task: Readonly<TaskNode>, prepared: PreparedTask): Promise<TaskOutcome> {
    const step = task.node.path;
    const command = this.o.masker.text(prepared.command);
    const upstream = [...new Set(upstreamNodes(task.node).filter((u) => this.wouldRun(u)).map((u) => u.path))];
    if (upstream.length) return this.willRun(task, command, null, notReusedStatus('would-run', 'upstream', { step, upstream }));
    const identity = this.identities.of(task, prepared, await this.localImageId(task));
    const reused = await this.reuse.find(step, task.taskId, task.node.spec.cache, identity);
    if (reused) {
      const r = reused.record;
      const src = r.cachedFrom ?? { runId: r.runId, step: r.step, taskId: r.taskId };
      this.tasks.push(this.entry(task.node, task.taskId, task, 'cached', {
        command, cacheKey: identity.cacheKey, cache: reusedStatus(`${this.o.flow}/${src.runId}/${src.step}/${src.taskId}`, reused.how),
      }));
      return { state: 'cached', values: r.values, outputs: r.outputs };
    }
    return this.willRun(task, command, identity.cacheKey, await this.explain(task, prepared, identity, command));
  }

  /**
   * A container step's image id as a real run would key it, if the image is here already (a
   * dry run never pulls); undefined otherwise: the key then holds the tag, and the task reads
   * as would-run with its image named as the change.
   */
  private async localImageId(task: Readonly<TaskNode>): Promise<string | undefined> {
    const spec = task.node.spec;
    if (spec.image === undefined || executorKindOf(spec) !== 'container') return undefined;
    this.images ??= import('../executors/container/index.js').then(({ ImageResolver, ImageError, detectRuntime }) => new ImageResolver(async () => {
      const d = await detectRuntime();
      if ('problem' in d) throw new ImageError(d.problem.message);
      return d.runtime;
    }));
    return (await this.images).resolve(spec.image, 'never').catch(() => undefined);
  }

  async record(task: Readonly<TaskNode>): Promise<void> {
    const state = task.state === 'skipped' ? 'skipped' : 'would-fail';
    this.tasks.push(this.entry(task.node, task.taskId, task, state, { reason: task.reason ?? null }));
  }

  /** A step whose tasks (some of them) would run, or whose shape is only known at run time. */
  wouldRun(node: StepNode): boolean {
    if (this.unknownNodes.has(node)) return true;
    if (node.spec.kind === 'task') return node.tasks.some((t) => this.pending.has(t));
    return node.instances.some((inst) => [...inst.nodes.values()].some((n) => this.wouldRun(n)));
  }

  private willRun(task: Readonly<TaskNode>, command: string, cacheKey: string | null, cache: CacheStatus): TaskOutcome {
    this.pending.add(task as TaskNode);
    this.tasks.push(this.entry(task.node, task.taskId, task, 'would-run', { command, cacheKey, cache }));
    return { state: 'succeeded', values: {}, outputs: [] };
  }

  private async explain(task: Readonly<TaskNode>, prepared: PreparedTask, id: TaskIdentity, command: string): Promise<CacheStatus> {
    const spec = task.node.spec;
    const facts: ExplainFacts = {
      flow: this.o.flow, step: task.node.path, taskId: task.taskId, runId: null, originRunId: this.o.reuse.origin?.runId,
      parts: id.parts, cacheKey: id.cacheKey, cloneKey: id.cloneKey, command, item: task.hasItem ? this.o.masker.value(task.item) : undefined,
      params: this.o.maskedParams, code: { files: this.o.code.files, flowFile: this.o.flowFile }, deps: spec.deps ?? null,
      inputSources: Object.fromEntries(prepared.staging.flatMap((s) => (s.from ? [[s.rel, s.from]] : []))),
      skipped: this.reuse.skipped(task.node.path, spec.cache), verb: 'would-run',
    };
    try {
      return await this.o.explainer.explain(facts);
    } catch (e) {
      // The plan stands without the why; say what stopped it.
      const status = notReusedStatus('would-run', 'new', { step: facts.step });
      return { ...status, reason: null, summary: `would run (why cannot be told: ${e instanceof Error ? e.message : String(e)})` };
    }
  }

  private entry(
    node: StepNode, taskId: string, task: Readonly<TaskNode> | undefined, state: PlannedTask['state'],
    o: Partial<Pick<PlannedTask, 'command' | 'cacheKey' | 'reason' | 'cache'>>,
  ): PlannedTask {
    return {
      step: node.path, taskId, item: task?.hasItem ? this.o.masker.value(task.item) : null, state,
      command: o.command ?? null, cacheKey: o.cacheKey ?? null, reason: o.reason ?? null, cache: o.cache ?? null,
    };
  }
}
