/** Process signals for a run (Ctrl-C, SIGTERM). */
import { ExitCode, FlowctlError } from '../errors.js';

/** What a signal can stop: the engine of the run in progress. */
export interface Interruptible {
  interrupt(kill: boolean): void;
}

/**
 * SIGINT/SIGTERM handling. Installed first thing, so a Ctrl-C during loading is not lost:
 * before the run record exists it ends the command (exit 130, nothing to resume); after,
 * the first signal stops the run gracefully (TERM, grace, KILL) and a second kills at once.
 */
export const signals = {
  count: 0,
  engine: undefined as Interruptible | undefined,
  installed: false,
  handler(): void {
    signals.count++;
    signals.engine?.interrupt(signals.count > 1);
  },
  install(): void {
    if (signals.installed) return;
    signals.installed = true;
    const early = (globalThis as { __flowctlEarlySignalHandler?: () => void }).__flowctlEarlySignalHandler;
    if (early) {
      process.off('SIGINT', early);
      process.off('SIGTERM', early);
    }
    process.on('SIGINT', signals.handler);
    process.on('SIGTERM', signals.handler);
  },
  throwIfEarly(): void {
    if (signals.count > 0) {
      throw new FlowctlError('INTERRUPTED', 'interrupted before the run started; nothing was recorded', { exitCode: ExitCode.Interrupted });
    }
  },
  attach(engine: Interruptible): void {
    signals.engine = engine;
    if (signals.count > 0) engine.interrupt(signals.count > 1);
  },
  detach(): void {
    signals.engine = undefined;
    process.off('SIGINT', signals.handler);
    process.off('SIGTERM', signals.handler);
    signals.installed = false;
  },
};
