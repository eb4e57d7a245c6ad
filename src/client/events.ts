/**
 * A run's events.ndjson read incrementally, from a byte offset: views that follow a run (the
 * web UI) read only what was appended since their last read, a bounded slice at a time, instead
 * of the whole file (which holds every log line) on every poll.
 */
import type { Store } from '../store/store.js';

/** One line of events.ndjson (README: "NDJSON event schema"). Unknown types and fields may appear. */
export interface RunEventJson {
  type: string;
  time: string;
  runId: string;
  [field: string]: unknown;
}

export interface EventsReadOptions {
  /** Byte offset to start at: 0, or a `next` of an earlier read (default 0). */
  from?: number;
  /** Read about this many bytes at most (default 1 MiB); a longer single line is still returned whole. */
  maxBytes?: number;
  /** Include `log` events (default true). Without them a read skips log lines without parsing them. */
  logs?: boolean;
}

export interface EventsPage {
  events: RunEventJson[];
  /** Where the next read starts: past the last whole line read (a line still being written is left for later). */
  next: number;
  /** More whole lines may follow right away (the read stopped at maxBytes). */
  more: boolean;
}

const DEFAULT_MAX = 1024 * 1024;
const LOG_PREFIX = '{"type":"log"';

/** @internal The events of a run from `opts.from`; see Run.events(). */
export async function readRunEvents(store: Store, flow: string, runId: string, opts: EventsReadOptions = {}): Promise<EventsPage> {
  const from = Math.max(0, Math.floor(opts.from ?? 0));
  const maxBytes = Math.max(1024, opts.maxBytes ?? DEFAULT_MAX);
  const { buf, more } = await store.readEventsSlice(flow, runId, from, maxBytes);
  const end = buf.lastIndexOf(10);
  if (end < 0) return { events: [], next: from, more: false };
  const events: RunEventJson[] = [];
  for (const line of buf.subarray(0, end).toString('utf8').split('\n')) {
    if (!line || (opts.logs === false && line.startsWith(LOG_PREFIX))) continue;
    try {
      const e = JSON.parse(line) as RunEventJson;
      if (opts.logs === false && e.type === 'log') continue;
      events.push(e);
    } catch {
      // A damaged line is skipped; whole lines after it still count.
    }
  }
  return { events, next: from + end + 1, more };
}
