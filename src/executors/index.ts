/**
 * Executors by kind: the one place a step's `executor:`/`image:` turns into an implementation,
 * and the one place that says which kinds this flowctl can run. A step that needs an executor
 * that is not available is an error at validation (exit 2), never silently run elsewhere.
 */
import { staticReason } from './availability.js';
import { ContainerExecutor } from './container/executor.js';
import { localExecutor, type InProcessOptions } from './local.js';
import type { Executor, ExecutorKind } from './port.js';

export { unavailableReason } from './availability.js';
export { executorKindOf, runsOnThisMachine, type Executor, type ExecutorContext, type ExecutorKind } from './port.js';
export { LocalProcessRunner, type LocalProcessOptions } from './local-process.js';
export { InProcessExecutor, localExecutor, type InProcessOptions } from './local.js';
export { ContainerExecutor } from './container/executor.js';

/**
 * The executors of one run, made on first use.
 * @throws Error for a kind that is not available (validation should have said so first).
 */
export class ExecutorSet {
  private readonly made = new Map<ExecutorKind, Executor>();

  constructor(private readonly o: InProcessOptions) {}

  get(kind: ExecutorKind): Executor {
    let e = this.made.get(kind);
    if (!e) {
      const why = staticReason(kind);
      if (why) throw new Error(why.message);
      // A container runtime that stopped working since validation fails each attempt with its reason.
      e = kind === 'container' ? new ContainerExecutor(this.o) : localExecutor(this.o);
      this.made.set(kind, e);
    }
    return e;
  }

  /** Resolves once every executor's background work is done. */
  async settle(): Promise<void> {
    await Promise.all([...this.made.values()].map((e) => e.settle?.()));
  }
}
