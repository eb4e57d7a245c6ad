/**
 * Fans runtime events out to reporters and the run's events.ndjson. Stamps `time` and
 * `runId`, and masks secrets in everything but log lines (the executor masks those
 * as they are read, before they reach any file).
 */
import type { Masker } from './mask.js';
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
    if (this.masker.active && event.type !== 'log') event = this.masker.value(event);
    for (const sink of this.sinks) {
      try {
        sink.onEvent(event);
      } catch (e) {
        // A broken reporter must not break the run; say so once on stderr.
        process.stderr.write(`warning: reporter failed: ${(e as Error).message}\n`);
      }
    }
  }

  async close(): Promise<void> {
    for (const sink of this.sinks) await sink.close?.();
  }
}
