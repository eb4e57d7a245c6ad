/**
 * The live view's thread. LiveReporter starts it so that loading ink and react (~0.4 s of
 * CPU), folding events and drawing frames never run on the thread that schedules tasks.
 * Messages in: `events` (a batch), `resize`, `close`. Out: `write` (terminal output, which
 * the main thread writes to its stderr, in order) and `closed` with the view's stats.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { RunEvent } from '../../runtime/events.js';
import { LiveSession, type Terminal } from './session.js';

export interface TerminalSize {
  columns?: number;
  rows?: number;
  isTTY: boolean;
}

export type ToWorker = { type: 'events'; events: RunEvent[] } | { type: 'resize'; size: TerminalSize } | { type: 'close' };
export type FromWorker = { type: 'write'; data: string } | { type: 'closed'; stats: LiveSession['stats'] } | { type: 'failed'; message: string };

const port = parentPort!;
const init = workerData as { size: TerminalSize; intervalMs?: number };

// This thread has its own copy of the environment: React's production build here changes
// nothing for the tasks, which inherit the main thread's environment.
process.env.NODE_ENV = 'production';
yieldToTheRun();

/** A stand-in for the terminal: ink writes here, the main thread writes it out. */
const terminal = Object.assign(
  new Writable({
    decodeStrings: false,
    write(chunk, _encoding, done) {
      port.postMessage({ type: 'write', data: String(chunk) } satisfies FromWorker);
      done();
    },
  }),
  init.size,
) as unknown as Terminal;

const session = new LiveSession({ stream: terminal, intervalMs: init.intervalMs }, () => import('./ink-renderer.js'));

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'events':
      for (const e of m.events) session.onEvent(e);
      return;
    case 'resize':
      Object.assign(terminal, m.size);
      terminal.emit('resize');
      session.resized();
      return;
    case 'close':
      session.close().then(
        () => port.postMessage({ type: 'closed', stats: session.stats } satisfies FromWorker),
        (e: Error) => port.postMessage({ type: 'failed', message: e.message } satisfies FromWorker),
      );
  }
});

/**
 * When CPUs are busy, the scheduler and the tasks come first: lower this thread's priority
 * (Linux: a thread id given to setpriority affects that thread only). Elsewhere, or if not
 * allowed, the view simply runs at normal priority.
 */
function yieldToTheRun(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, 19);
  } catch {
    // not Linux, or not permitted
  }
}
