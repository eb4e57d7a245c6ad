/**
 * The `local` executor: runAttempt in this process, the command run by a LocalProcessRunner
 * (a child process started by the spawner, in its own process group).
 */
import type { AttemptRecord, AttemptSpec } from '../store/records.js';
import type { CodeSnapshot, Store } from '../store/store.js';
import type { Masker } from '../task/mask.js';
import type { ProcessRunner } from '../task/process-runner.js';
import { runAttempt } from '../task/run-attempt.js';
import { ScratchPool } from '../task/scratch-pool.js';
import { LocalProcessRunner } from './local-process.js';
import type { Executor, ExecutorContext, ExecutorKind } from './port.js';

export interface InProcessOptions {
  store: Store;
  masker: Masker;
  /** Task directories live under `<store scratch>/tasks/<scratchName>`: the run id. */
  scratchName: string;
  /** The run's code snapshot, already in memory. */
  code?: Pick<CodeSnapshot, 'hash' | 'files'>;
  keepFailedDirs?: boolean;
}

/** An executor whose attempts run in this process, through a ProcessRunner. */
export class InProcessExecutor implements Executor {
  private readonly scratch: ScratchPool;

  constructor(readonly kind: ExecutorKind, private readonly runner: ProcessRunner, private readonly o: InProcessOptions) {
    this.scratch = new ScratchPool(o.store.runScratchDir(o.scratchName, o.scratchName), kind === 'local' ? 'slot' : `${kind}-slot`);
  }

  run(spec: AttemptSpec, ctx: ExecutorContext): Promise<AttemptRecord> {
    return runAttempt(spec, {
      store: this.o.store, runner: this.runner, scratch: this.scratch, masker: this.o.masker, secrets: ctx.secrets,
      code: this.o.code, onLog: ctx.onLog, signal: ctx.signal, killSignal: ctx.killSignal, keepFailedDir: this.o.keepFailedDirs,
    });
  }

  settle(): Promise<void> {
    return this.scratch.settle();
  }
}

/** @example const executor = localExecutor({ store, masker, scratchName: runId, code }); */
export function localExecutor(o: InProcessOptions, runner: ProcessRunner = new LocalProcessRunner()): InProcessExecutor {
  return new InProcessExecutor('local', runner, o);
}
