/**
 * A run's task identities (cache and clone keys), the same for a real run and a dry run. The
 * code part is computed once per distinct `deps:` (every step without deps shares one).
 */
import { codeKey, taskIdentity, type KeyHasher, type TaskIdentity } from '../graph/cache-key.js';
import type { TaskNode } from '../graph/graph-state.js';
import type { PreparedTask } from '../graph/plan-tasks.js';
import type { CodeSnapshot } from '../store/store.js';

export class TaskIdentities {
  private readonly codeKeys = new Map<string, string>();

  constructor(private readonly o: {
    flow: string;
    code: Pick<CodeSnapshot, 'files'>;
    /** Flow file path relative to the project root (left out of code keys). */
    flowFile: string;
    params: Record<string, unknown>;
    hasher: KeyHasher;
  }) {}

  /** `imageDigest`: the id a container step's image resolved to this run (the key covers it, not the tag). */
  of(task: Readonly<TaskNode>, prepared: PreparedTask, imageDigest?: string): TaskIdentity {
    const spec = task.node.spec;
    const memo = spec.deps ? task.node.path : '';
    let code = this.codeKeys.get(memo);
    if (code === undefined) {
      code = codeKey(this.o.code.files, { flowFile: this.o.flowFile, deps: spec.deps });
      this.codeKeys.set(memo, code);
    }
    return taskIdentity({
      flow: this.o.flow, step: task.node.path, taskId: task.taskId, hasItem: task.hasItem, item: task.item, itemIndex: task.index,
      items: task.items, command: prepared.command, shell: spec.shell, image: imageDigest ?? spec.image, env: prepared.env,
      params: visibleParams(this.o.params, spec.params), codeKey: code, staging: prepared.staging, outputs: spec.outputs,
    }, this.o.hasher);
  }
}

/** The params a task reads as FLOW_PARAM_*: all, or those its step's `params:` lists. */
export function visibleParams(params: Record<string, unknown>, only: string[] | undefined): Record<string, unknown> {
  if (!only) return params;
  return Object.fromEntries(only.filter((n) => n in params).map((n) => [n, params[n]]));
}
