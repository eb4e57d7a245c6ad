/**
 * An executor loaded on first use: a run with no batch step never imports the AWS SDK for
 * Batch (start-up time is every command's cost).
 */
import type { AttemptRecord, AttemptSpec } from '../store/records.js';
import type { Executor, ExecutorContext, ExecutorKind } from './port.js';

export class LazyExecutor implements Executor {
  private made?: Promise<Executor>;

  constructor(readonly kind: ExecutorKind, private readonly load: () => Promise<Executor>) {}

  async run(spec: AttemptSpec, ctx: ExecutorContext): Promise<AttemptRecord> {
    this.made ??= this.load();
    return (await this.made).run(spec, ctx);
  }

  async settle(): Promise<void> {
    if (!this.made) return;
    const e = await this.made.catch(() => undefined);
    await e?.settle?.();
  }
}
