/**
 * The live terminal view (`--output live`, the default on a TTY). Events are folded into
 * view state as they arrive (cheap, synchronous); drawing happens on a timer at most
 * 10 times a second, so a 10,000-task fan-out costs the run 10 frames a second, not 10,000.
 * The view never holds the process open and never talks to the run. On close it draws the
 * final frame (step tree and summary), which stays on screen.
 *
 * Loaded only through `import()` from select-reporter.ts: this module pulls in ink and react.
 */
import { createElement } from 'react';
import { render, type Instance } from 'ink';
import type { Reporter, RunEvent } from '../runtime/events.js';
import { layoutFrame } from './live/layout.js';
import { LiveView } from './live/LiveView.js';
import { initialState, reduce, type ViewState } from './live/state.js';

export interface LiveReporterOptions {
  /** Where to draw (default stderr: stdout stays free for the run id). */
  stream?: NodeJS.WriteStream;
  /** Minimum time between frames (default 100 ms). */
  intervalMs?: number;
  now?: () => number;
}

/** Height assumed when a terminal reports none. */
const DEFAULT_ROWS = 24;

export class LiveReporter implements Reporter {
  private state: ViewState = initialState();
  private ink?: Instance;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private readonly stream: NodeJS.WriteStream;
  private readonly intervalMs: number;
  private readonly now: () => number;
  /** Frames drawn, for tests and the benchmark. */
  frames = 0;

  constructor(o: LiveReporterOptions = {}) {
    this.stream = o.stream ?? process.stderr;
    this.intervalMs = o.intervalMs ?? 100;
    this.now = o.now ?? Date.now;
  }

  onEvent(e: RunEvent): void {
    if (this.closed) return;
    this.state = reduce(this.state, e);
    if (!this.ink) this.mount();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.stream.off('resize', this.draw);
    const ink = this.ink;
    if (!ink) return;
    const { columns, rows } = this.size();
    const height = layoutFrame(this.state, { now: this.now(), columns, final: true }).length;
    ink.rerender(this.element(true));
    const exited = ink.waitUntilExit();
    ink.unmount();
    await exited;
    // A final frame as tall as the terminal is written without its line end.
    if (rows !== undefined && height >= rows) this.stream.write('\n');
  }

  private mount(): void {
    this.ink = render(this.element(false), {
      stdout: this.stream, stderr: this.stream, exitOnCtrlC: false, patchConsole: false, maxFps: 1000 / this.intervalMs,
    });
    this.frames++;
    // Redraw on a steady beat rather than per event: the spinner and clocks move even
    // when no event arrives, and a burst of events costs one frame.
    this.timer = setInterval(this.draw, this.intervalMs);
    this.timer.unref();
    this.stream.on('resize', this.draw);
  }

  private readonly draw = (): void => {
    if (this.closed || !this.ink) return;
    this.ink.rerender(this.element(false));
    this.frames++;
  };

  private size(): { columns: number; rows?: number } {
    const columns = this.stream.columns || 80;
    const rows = this.stream.isTTY ? this.stream.rows || DEFAULT_ROWS : undefined;
    return { columns, rows };
  }

  private element(final: boolean) {
    const { columns, rows } = this.size();
    return createElement(LiveView, { state: this.state, now: this.now(), columns, rows, final });
  }
}
