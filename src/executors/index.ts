/**
 * Executors by kind: the one place a step's `executor:`/`image:` turns into an implementation,
 * and the one place that says which kinds this flowctl can run. A step that needs an executor
 * that is not available is an error at validation (exit 2), never silently run elsewhere.
 */
import { unavailableReason } from './availability.js';
import { ContainerExecutor } from './container/executor.js';
import { LazyExecutor } from './lazy.js';
import { localExecutor, type InProcessOptions } from './local.js';
import type { Executor, ExecutorKind } from './port.js';

export { unavailableReason, type ExecutorSetup } from './availability.js';
export { executorKindOf, runsOnThisMachine, type AttemptStatus, type Executor, type ExecutorContext, type ExecutorKind } from './port.js';

/** What the remote executors need from the run (their availability was checked at validation). */
export interface RemoteOptions {
  /** AWS Batch: settings and the endpoint come from `env`; warnings go to the run's events. */
  batch?: { env: NodeJS.ProcessEnv; warn(message: string): void };
}
export { LocalProcessRunner, type LocalProcessOptions } from './local-process.js';
export { InProcessExecutor, localExecutor, type InProcessOptions } from './local.js';
export { ContainerExecutor } from './container/executor.js';

/**
 * The executors of one run, made on first use.
 * @throws Error for a kind that is not available (validation should have said so first).
 */
export class ExecutorSet {
  private readonly made = new Map<ExecutorKind, Executor>();

  constructor(private readonly o: InProcessOptions, private readonly remote: RemoteOptions = {}) {}

  get(kind: ExecutorKind): Executor {
    let e = this.made.get(kind);
    if (!e) {
      e = this.make(kind);
      this.made.set(kind, e);
    }
    return e;
  }

  private make(kind: ExecutorKind): Executor {
    if (kind === 'batch') {
      const batch = this.remote.batch;
      if (!batch) throw new Error('the AWS Batch executor was not set up for this run');
      return new LazyExecutor('batch', async () => {
        const { createBatchExecutor } = await import('./batch/executor.js');
        return createBatchExecutor({ store: this.o.store, env: batch.env, warn: batch.warn });
      });
    }
    // A container runtime that stopped working since validation fails each attempt with its reason.
    return kind === 'container' ? new ContainerExecutor(this.o) : localExecutor(this.o);
  }

  /** Resolves once every executor's background work is done. */
  async settle(): Promise<void> {
    await Promise.all([...this.made.values()].map((e) => e.settle?.()));
  }
}
