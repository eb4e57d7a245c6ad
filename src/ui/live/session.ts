/**
 * One live view on one terminal: folds events into view state as they arrive (cheap,
 * synchronous) and draws frames on a timer, so a burst of events costs one frame and a
 * 10,000-task fan-out costs no more frames a second than a 3-task flow: at most 10, fewer
 * when frames are expensive (drawing stays under DRAW_BUDGET of a core). On close it draws
 * the final frame (step tree and summary), which stays on screen.
 *
 * ink is loaded through `loadRenderer` while the first events arrive; events received
 * meanwhile are already in the state when the first frame is drawn.
 */
import type { RunEvent } from '../../runtime/events.js';
import type { InkRenderer } from './ink-renderer.js';
import { layoutFrame } from './layout.js';
import type { LiveViewProps } from './LiveView.js';
import { initialState, reduce, type ViewState } from './state.js';

/** What ink needs of a terminal. */
export type Terminal = NodeJS.WriteStream;

export interface SessionOptions {
  stream: Terminal;
  /** Minimum time between frames (default 100 ms). */
  intervalMs?: number;
  now?: () => number;
}

export interface LiveStats {
  frames: number;
  events: number;
  drawMs: number;
  reduceMs: number;
  /** Time from start to ink being loaded. */
  loadMs: number;
}

type RendererModule = typeof import('./ink-renderer.js');

/** Height assumed when a terminal reports none. */
const DEFAULT_ROWS = 24;
/** Share of one core that drawing may use; slower frames are drawn less often. */
const DRAW_BUDGET = 0.03;
const MAX_INTERVAL_MS = 1000;

export class LiveSession {
  readonly stats: LiveStats = { frames: 0, events: 0, drawMs: 0, reduceMs: 0, loadMs: 0 };
  private state: ViewState = initialState();
  private readonly loading: Promise<RendererModule>;
  private renderer?: InkRenderer;
  private timer?: NodeJS.Timeout;
  private started = false;
  private closed = false;
  /** Moving average of a frame's cost, and how many frames it has seen. */
  private drawMs = 0;
  private paced = 0;
  private readonly stream: Terminal;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(o: SessionOptions, loadRenderer: () => Promise<RendererModule>) {
    this.stream = o.stream;
    this.intervalMs = o.intervalMs ?? 100;
    this.now = o.now ?? Date.now;
    const t0 = performance.now();
    this.loading = loadRenderer();
    this.loading.then(() => (this.stats.loadMs = performance.now() - t0), () => {});
  }

  /** Resolves once ink is loaded and, if an event came, the first frame is drawn. */
  async ready(): Promise<void> {
    const m = await this.loading;
    if (this.started) this.mount(m);
  }

  onEvent(e: RunEvent): void {
    if (this.closed) return;
    const t0 = performance.now();
    this.state = reduce(this.state, e);
    this.stats.reduceMs += performance.now() - t0;
    this.stats.events++;
    if (!this.started) {
      this.started = true;
      this.loading.then((m) => this.mount(m), () => {});
    }
  }

  /** The terminal changed size: draw at once at the new size. */
  resized(): void {
    this.draw();
  }

  /** The terminal cannot be written any more: stop drawing, and draw no final frame. */
  abandon(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    if (!this.started) return;
    const m = await this.loading; // a load failure is the caller's to report
    const props = this.props(true);
    const height = layoutFrame(this.state, props).length;
    const t0 = performance.now();
    if (this.renderer) await this.renderer.finish(props);
    else await new m.InkRenderer(this.stream, props).finish(props);
    this.count(performance.now() - t0, false);
    // ink writes a frame as tall as the terminal without its line end
    if (props.rows !== undefined && height >= props.rows) this.stream.write('\n');
  }

  private mount(m: RendererModule): void {
    if (this.closed || this.renderer) return;
    const t0 = performance.now();
    this.renderer = new m.InkRenderer(this.stream, this.props(false));
    // the first frame pays for warming up (layout engine, JIT): it does not set the pace
    this.count(performance.now() - t0, false);
    this.schedule();
  }

  /** Next frame after the minimum interval, or later if frames are expensive. */
  private schedule(): void {
    const delay = Math.min(MAX_INTERVAL_MS, Math.max(this.intervalMs, this.drawMs / DRAW_BUDGET));
    this.timer = setTimeout(() => {
      this.draw();
      if (!this.closed) this.schedule();
    }, delay);
    this.timer.unref();
  }

  private draw(): void {
    if (this.closed || !this.renderer) return;
    const t0 = performance.now();
    this.renderer.draw(this.props(false));
    this.count(performance.now() - t0);
  }

  private count(ms: number, pace = true): void {
    this.stats.frames++;
    this.stats.drawMs += ms;
    // a moving average, so one slow frame (a GC pause) does not slow the view for long
    if (pace) this.drawMs = this.paced++ === 0 ? ms : 0.8 * this.drawMs + 0.2 * ms;
  }

  private props(final: boolean): LiveViewProps {
    const columns = this.stream.columns || 80;
    const rows = this.stream.isTTY ? this.stream.rows || DEFAULT_ROWS : undefined;
    return { state: this.state, now: this.now(), columns, rows, final };
  }
}
