/**
 * The live terminal view (`--output live`, the default on a terminal), as a Reporter.
 * The view runs on its own thread (live/worker.ts): this side only batches events to it
 * and writes what it draws to stderr, so drawing never competes with the scheduler's
 * thread, and the view can neither slow nor drive the run. `thread: 'main'` hosts it on
 * the calling thread instead (tests, and where workers are unavailable).
 *
 * select-reporter.ts imports this module only for the live view.
 */
import { appendFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { Reporter, RunEvent } from '../runtime/events.js';
import { LiveSession, type LiveStats } from './live/session.js';
import type { FromWorker, TerminalSize, ToWorker } from './live/worker.js';

export interface LiveReporterOptions {
  /** Where to draw (default stderr: stdout stays free for the run id). */
  stream?: NodeJS.WriteStream;
  /** Minimum time between frames (default 100 ms). */
  intervalMs?: number;
  thread?: 'worker' | 'main';
}

/** Events are handed to the view's thread in batches at most this far apart. */
const BATCH_MS = 25;

export class LiveReporter implements Reporter {
  private readonly stream: NodeJS.WriteStream;
  private readonly view: ViewHost;
  private closing?: Promise<void>;
  stats?: LiveStats;

  constructor(o: LiveReporterOptions = {}) {
    this.stream = o.stream ?? process.stderr;
    this.view = o.thread === 'main'
      ? new MainThreadView(this.stream, o.intervalMs)
      : new WorkerView(this.stream, o.intervalMs);
    this.stream.on('resize', this.onResize);
    process.on('exit', showCursor);
  }

  onEvent(e: RunEvent): void {
    if (!this.closing) this.view.onEvent(e);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.stream.off('resize', this.onResize);
      try {
        this.stats = await this.view.close();
      } catch (e) {
        this.stream.write(`warning: the live view failed (${(e as Error).message}); use --output plain\n`);
      } finally {
        process.off('exit', showCursor);
      }
      if (this.stats && process.env.FLOWCTL_LIVE_STATS) await appendFile(process.env.FLOWCTL_LIVE_STATS, JSON.stringify(this.stats) + '\n');
    })();
    return this.closing;
  }

  private readonly onResize = () => this.view.resize(sizeOf(this.stream));
}

/** If the process exits mid-frame (a second Ctrl-C), do not leave the terminal's cursor hidden. */
function showCursor(): void {
  if (process.stderr.isTTY) process.stderr.write('\x1b[?25h');
}

function sizeOf(s: NodeJS.WriteStream): TerminalSize {
  return { columns: s.columns, rows: s.rows, isTTY: s.isTTY === true };
}

interface ViewHost {
  onEvent(e: RunEvent): void;
  resize(size: TerminalSize): void;
  /** Final frame drawn and written; returns what the view cost. */
  close(): Promise<LiveStats | undefined>;
}

class MainThreadView implements ViewHost {
  private readonly session: LiveSession;

  constructor(stream: NodeJS.WriteStream, intervalMs?: number) {
    this.session = new LiveSession({ stream, intervalMs }, () => import('./live/ink-renderer.js'));
  }

  onEvent(e: RunEvent): void {
    this.session.onEvent(e);
  }

  resize(): void {
    this.session.resized();
  }

  async close(): Promise<LiveStats> {
    await this.session.close();
    return this.session.stats;
  }

  /** For tests: ink loaded and the first frame drawn. */
  ready(): Promise<void> {
    return this.session.ready();
  }
}

class WorkerView implements ViewHost {
  private readonly worker: Worker;
  private batch: RunEvent[] = [];
  private timer?: NodeJS.Timeout;
  private failure?: Error;
  private readonly done: Promise<LiveStats | undefined>;

  constructor(private readonly stream: NodeJS.WriteStream, intervalMs?: number) {
    this.worker = new Worker(new URL('./live/worker.js', import.meta.url), { workerData: { size: sizeOf(stream), intervalMs } });
    // The run decides when the process ends, never the view.
    this.worker.unref();
    this.done = new Promise((resolve, reject) => {
      this.worker.on('message', (m: FromWorker) => {
        if (m.type === 'write') this.stream.write(m.data);
        else if (m.type === 'closed') resolve(m.stats);
        else reject(new Error(m.message));
      });
      this.worker.on('error', (e) => {
        this.failure = e;
        reject(e);
      });
      this.worker.on('exit', () => resolve(undefined));
    });
    this.done.catch(() => {}); // reported by close()
  }

  onEvent(e: RunEvent): void {
    if (this.failure) return;
    this.batch.push(e);
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), BATCH_MS);
      this.timer.unref();
    }
  }

  resize(size: TerminalSize): void {
    this.post({ type: 'resize', size });
  }

  async close(): Promise<LiveStats | undefined> {
    this.flush();
    this.post({ type: 'close' });
    try {
      return await this.done;
    } finally {
      await this.worker.terminate();
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    this.post({ type: 'events', events: this.batch });
    this.batch = [];
  }

  private post(m: ToWorker): void {
    if (!this.failure) this.worker.postMessage(m);
  }
}
