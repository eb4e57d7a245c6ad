/**
 * The output of running remote attempts, as lines for the run's live view and events (and so
 * for `flowctl logs --follow`): the job appends its logs to the store every few seconds
 * (src/task/live-logs.ts); this reads what was added, every `everyMs`, for up to `maxFollowed`
 * attempts at a time. A log followed past `maxChars` is not read any further until its end
 * (its whole text is in the store).
 */
import type { AttemptSpec } from '../../store/records.js';
import type { Store } from '../../store/store.js';

type Stream = 'stdout' | 'stderr';

export interface RelayOptions {
  everyMs: number;
  maxFollowed: number;
  maxChars: number;
}

export const DEFAULT_RELAY: RelayOptions = { everyMs: 3000, maxFollowed: 32, maxChars: 4 * 1024 * 1024 };

interface Follower {
  spec: AttemptSpec;
  onLog: (stream: Stream, line: string) => void;
  offset: Record<Stream, number>;
  partial: Record<Stream, string>;
  capped: boolean;
}

export class LogRelay {
  private readonly followers = new Set<Follower>();
  private timer?: NodeJS.Timeout;
  private reading?: Promise<void>;

  constructor(private readonly store: Store, private readonly o: RelayOptions = DEFAULT_RELAY) {}

  /**
   * Relay the attempt's lines to onLog until `finish()` (which reads the rest); undefined when
   * `maxFollowed` attempts are already followed.
   */
  follow(spec: AttemptSpec, onLog: (stream: Stream, line: string) => void): { finish(): Promise<void>; stop(): void } | undefined {
    if (this.followers.size >= this.o.maxFollowed) return undefined;
    const f: Follower = { spec, onLog, offset: { stdout: 0, stderr: 0 }, partial: { stdout: '', stderr: '' }, capped: false };
    this.followers.add(f);
    this.timer ??= setInterval(() => this.tick(), this.o.everyMs);
    return {
      finish: async () => {
        if (!this.followers.delete(f)) return;
        this.idle();
        await this.reading;
        if (!f.capped) await this.read(f, true).catch(() => {});
      },
      stop: () => {
        this.followers.delete(f);
        this.idle();
      },
    };
  }

  private idle(): void {
    if (this.followers.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    if (this.reading) return;
    this.reading = (async () => {
      for (const f of [...this.followers]) {
        if (!f.capped) await this.read(f, false).catch(() => {});
      }
    })().finally(() => (this.reading = undefined));
  }

  private async read(f: Follower, final: boolean): Promise<void> {
    const s = f.spec;
    for (const stream of ['stdout', 'stderr'] as const) {
      const text = await this.store.readAttemptLog(s.flow, s.runId, s.step, s.taskId, s.attempt, stream);
      if (text.length <= f.offset[stream]) {
        if (final && f.partial[stream]) f.onLog(stream, f.partial[stream]);
        continue;
      }
      const fresh = f.partial[stream] + text.slice(f.offset[stream]);
      f.offset[stream] = text.length;
      const lines = fresh.split('\n');
      f.partial[stream] = lines.pop()!;
      if (final && f.partial[stream]) lines.push(f.partial[stream]);
      for (const line of lines) f.onLog(stream, line);
      if (f.offset[stream] > this.o.maxChars) f.capped = true;
    }
  }
}
