/**
 * Fans runtime events out to reporters and the run's events.ndjson. Stamps `time` and
 * `runId`, and masks secrets in everything but log lines (the executor masks those
 * as they are read, before they reach any file), including pieces of one quoted by an error
 * message.
 */
import type { Masker } from '../task/mask.js';
import type { Reporter, RunEvent } from './events.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type RunEventInput = DistributiveOmit<RunEvent, 'time' | 'runId'>;

export class EventBus {
  private readonly sinks: Reporter[] = [];

  constructor(private readonly runId: string, private readonly masker: Masker) {}

  add(sink: Reporter): void {
    this.sinks.push(sink);
  }

  emit(input: RunEventInput): void {
    let event = { ...input, time: new Date().toISOString(), runId: this.runId } as RunEvent;
    if (this.masker.active && event.type !== 'log') event = this.maskEvent(event);
    for (const sink of this.sinks) {
      try {
        sink.onEvent(event);
      } catch (e) {
        // A broken reporter must not break the run; say so once on stderr.
        process.stderr.write(`warning: reporter failed: ${(e as Error).message}\n`);
      }
    }
  }

  /** Every string masked; messages (`reason`, `error`, `lastFailure`) also for quoted fragments of a secret. */
  private maskEvent(e: RunEvent): RunEvent {
    const out = this.masker.value(e) as RunEvent & Record<string, unknown>;
    for (const k of ['reason', 'error', 'lastFailure']) {
      if (typeof out[k] === 'string') out[k] = this.masker.message(out[k] as string);
    }
    return out;
  }

  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close?.();
  }
}
