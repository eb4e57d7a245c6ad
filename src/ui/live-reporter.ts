/**
 * The live terminal view (`--output live`, the default on a terminal), as a Reporter.
 * The view runs in its own low-priority process (live/process.ts) that draws straight to
 * the terminal: this side only hands it the events, as NDJSON, in batches. Loading ink,
 * drawing and the memory they take stay out of the process that spawns the tasks, so the
 * view can neither slow nor drive the run. `host: 'inline'` draws from this process
 * instead (tests, and a fallback when the view process cannot start).
 *
 * select-reporter.ts imports this module only for the live view.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Reporter, RunEvent } from '../runtime/events.js';
import { OUTPUT_GONE_EXIT_CODE } from './live/exit-codes.js';
import { LiveSession } from './live/session.js';
import { guardOutput } from './output-guard.js';
import { PlainReporter } from './plain-reporter.js';

export interface LiveReporterOptions {
  /** Where to draw (default stderr: stdout stays free for the run id). Inline only: the view process draws on its stderr, which is ours. */
  stream?: NodeJS.WriteStream;
  /** Minimum time between frames (default 100 ms). */
  intervalMs?: number;
  host?: 'process' | 'inline';
}

/** Events are handed to the view in batches at most this far apart. */
const BATCH_MS = 25;
/** If the view cannot keep up (starved of CPU), log lines are dropped past this backlog. */
const MAX_BACKLOG_BYTES = 4 << 20;
const CLOSE_TIMEOUT_MS = 10_000;

interface ViewHost {
  onEvent(e: RunEvent): void;
  /** Final frame drawn and written. */
  close(): Promise<void>;
}

export class LiveReporter implements Reporter {
  private readonly view: ViewHost;
  private closing?: Promise<void>;
  /** Plain lines, once the view process has died: the run goes on and still reports. */
  private fallback?: PlainReporter;
  /** The terminal itself cannot be written: nothing more is shown. */
  private silenced = false;

  constructor(o: LiveReporterOptions = {}) {
    this.view = o.host === 'inline'
      ? new InlineView(o.stream ?? process.stderr, o.intervalMs)
      : new ProcessView(o.intervalMs, (why) => this.fail(why));
  }

  onEvent(e: RunEvent): void {
    if (this.silenced) return;
    if (this.fallback) this.fallback.onEvent(e);
    else if (!this.closing) this.view.onEvent(e);
  }

  close(): Promise<void> {
    this.closing ??= this.view.close();
    return this.closing;
  }

  /** `why` undefined: the terminal itself cannot be written any more, so there is nowhere to fall back to. */
  private fail(why: string | undefined): void {
    if (this.fallback || this.silenced || this.closing) return;
    if (why === undefined) {
      this.silenced = true;
      return;
    }
    const stderr = guardOutput(process.stderr);
    // it may have died mid-frame, with the cursor hidden
    const showCursor = process.stderr.isTTY ? '\x1b[?25h' : '';
    stderr.write(`${showCursor}\nwarning: the live view stopped (${why}); progress continues as plain lines\n`);
    this.fallback = new PlainReporter({ streamLogs: false });
  }
}

class InlineView implements ViewHost {
  readonly session: LiveSession;

  constructor(private readonly stream: NodeJS.WriteStream, intervalMs?: number) {
    this.session = new LiveSession({ stream, intervalMs }, () => import('./live/ink-renderer.js'));
    stream.on('resize', this.onResize);
    // A terminal or pipe that cannot be written any more: stop drawing; the run goes on.
    stream.on('error', this.onError);
  }

  onEvent(e: RunEvent): void {
    this.session.onEvent(e);
  }

  async close(): Promise<void> {
    this.stream.off('resize', this.onResize);
    await this.session.close();
  }

  private readonly onResize = () => this.session.resized();
  private readonly onError = () => this.session.abandon();
}

class ProcessView implements ViewHost {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private batch: string[] = [];
  private timer?: NodeJS.Timeout;
  private failed = false;
  private inputBroken = false;
  private closed = false;

  constructor(intervalMs: number | undefined, private readonly onFailure: (why: string | undefined) => void) {
    // The build's single-file bundle loads ~6x faster than ink's ~300 modules (bundle-view.ts).
    const bundle = fileURLToPath(new URL('./live/process.bundle.js', import.meta.url));
    const entry = existsSync(bundle) ? bundle : fileURLToPath(new URL('./live/process.js', import.meta.url));
    this.child = spawn(process.execPath, [entry], {
      // the view draws on our stderr; React's production build is for the view only
      stdio: ['pipe', 'ignore', 'inherit'],
      env: {
        ...process.env, NODE_ENV: 'production', FORCE_COLOR: colorLevel(process.stderr),
        ...(intervalMs ? { FLOWCTL_LIVE_INTERVAL_MS: String(intervalMs) } : {}),
      },
    });
    // The run decides when flowctl ends, never the view.
    this.child.unref();
    (this.child.stdin as unknown as { unref?(): void }).unref?.();
    this.child.stdin!.on('error', () => {
      // Usually the view died and its exit (with the reason worth telling) is a moment away.
      this.inputBroken = true;
      setTimeout(() => this.lost('its input closed'), 1000).unref();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        if (!this.closed) this.lost(code === OUTPUT_GONE_EXIT_CODE ? undefined : signal ? `killed by ${signal}` : `exit code ${code}`);
        resolve();
      });
      this.child.on('error', (e) => {
        this.lost(e.message);
        resolve();
      });
    });
  }

  onEvent(e: RunEvent): void {
    if (this.failed) return;
    if (e.type === 'log' && this.child.stdin!.writableLength > MAX_BACKLOG_BYTES) return;
    this.batch.push(JSON.stringify(e));
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), BATCH_MS);
      this.timer.unref();
    }
  }

  async close(): Promise<void> {
    this.flush();
    this.closed = true;
    this.child.stdin!.end();
    // keep flowctl alive until the final frame is on screen, but not forever
    const guard = setTimeout(() => this.child.kill(), CLOSE_TIMEOUT_MS);
    this.child.ref();
    await this.exited;
    clearTimeout(guard);
  }

  /** `why` undefined: the view's output (our stderr too) cannot be written. */
  private lost(why: string | undefined): void {
    if (this.failed) return;
    this.failed = true;
    this.batch = [];
    this.onFailure(why);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0 || this.failed || this.inputBroken) return;
    this.child.stdin!.write(this.batch.join('\n') + '\n');
    this.batch = [];
  }
}

/**
 * Colours as the terminal we draw on supports them (ink would otherwise ask stdout, which
 * is not a terminal in the view process, nor in `RUN=$(flowctl run …)`). Node's reading of
 * the terminal honours NO_COLOR and FORCE_COLOR.
 */
function colorLevel(stream: NodeJS.WriteStream): string {
  const depth = stream.isTTY ? stream.getColorDepth() : 1;
  return depth >= 24 ? '3' : depth >= 8 ? '2' : depth >= 4 ? '1' : '0';
}
