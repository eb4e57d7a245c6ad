/**
 * Follow a task's log while it runs, through its retries, until it finishes (`tail -F` for
 * tasks). Where the store's logs are live (a local store) the attempt's log itself is tailed;
 * elsewhere (S3) the `log` events of the run's events.ndjson are replayed and polled.
 * Following stops when task.json records a final state, or when the run ends or dies.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskState } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Task } from './task.js';
import type { LogStream } from './types.js';

export interface FollowOptions {
  stream?: LogStream;
  /** Follow this attempt only; default: the latest, then every retry after it. */
  attempt?: number;
  /** How often to look for new output (ms, default 150). */
  pollMs?: number;
  signal?: AbortSignal;
  /**
   * Start the first attempt followed at most this many bytes before the end of what it has
   * written so far (at a line start), announcing the part left out with a `skipped` chunk:
   * a view of a long log begins at its tail.
   */
  tailBytes?: number;
}

export type LogChunk =
  /** Output of `attempt` follows. */
  | { type: 'attempt'; attempt: number }
  | { type: 'data'; attempt: number; data: Buffer }
  /** `tailBytes` left out the first `bytes` bytes of this attempt's log. */
  | { type: 'skipped'; attempt: number; bytes: number }
  /** Following ended: the task (or the followed attempt) finished, or the run ended or died without finishing it. */
  | { type: 'end'; reason: 'task-finished' | 'attempt-finished' | 'run-ended' | 'run-dead' | 'aborted'; state?: string };

type EndChunk = Extract<LogChunk, { type: 'end' }>;

const DEFAULT_POLL_MS = 150;
const RUN_CHECK_MS = 1000;

export async function* followLogs(task: Task, opts: FollowOptions = {}): AsyncGenerator<LogChunk> {
  const store = await task.run.ctx.store();
  yield* (store.logsAreLive ? followFiles : followEvents)(task, store, { stream: 'stdout', pollMs: DEFAULT_POLL_MS, ...opts });
}

type Opts = FollowOptions & { stream: LogStream; pollMs: number };

async function* followFiles(task: Task, store: Store, o: Opts): AsyncGenerator<LogChunk> {
  const watch = new Watch(task, store, o);
  let n = o.attempt;
  for (;;) {
    const numbers = await watch.attempts();
    n ??= numbers.at(-1);
    if (n !== undefined && numbers.includes(n)) break;
    const end = await watch.ended();
    if (end) {
      // A fixed attempt that never appeared: let attempt() explain what exists.
      if (o.attempt !== undefined && end.reason === 'task-finished') await task.attempt(o.attempt);
      return yield end;
    }
    if (!(await watch.pause())) return yield { type: 'end', reason: 'aborted' };
  }
  for (let first = true; ; first = false) {
    yield { type: 'attempt', attempt: n };
    const at = [task.run.flow, task.run.id, task.step.name, task.id, n] as const;
    let offset = first && o.tailBytes !== undefined ? await store.attemptLogTailStart(...at, o.stream, o.tailBytes) : 0;
    if (offset > 0) yield { type: 'skipped', attempt: n, bytes: offset };
    for (;;) {
      const done = await store.hasAttemptRecord(...at);
      for await (const data of store.readAttemptLogFrom(...at, o.stream, offset)) {
        offset += data.length;
        yield { type: 'data', attempt: n, data };
      }
      if (done) break;
      const end = await watch.runEnded();
      if (end) {
        for await (const data of store.readAttemptLogFrom(...at, o.stream, offset)) yield { type: 'data', attempt: n, data };
        return yield end;
      }
      if (!(await watch.pause())) return yield { type: 'end', reason: 'aborted' };
    }
    if (o.attempt !== undefined) return yield { type: 'end', reason: 'attempt-finished', state: (await store.readAttempt(task.run.flow, task.run.id, task.step.name, task.id, n))?.state };
    for (;;) {
      const next = (await watch.attempts()).find((a) => a > n!);
      if (next !== undefined) {
        n = next;
        break;
      }
      const end = await watch.ended();
      if (end) return yield end;
      if (!(await watch.pause())) return yield { type: 'end', reason: 'aborted' };
    }
  }
}

interface LogEvent {
  type: string;
  step?: string;
  taskId?: string;
  attempt?: number;
  stream?: string;
  line?: string;
  state?: string;
}

async function* followEvents(task: Task, store: Store, o: Opts): AsyncGenerator<LogChunk> {
  const watch = new Watch(task, store, o);
  const mine = (e: LogEvent) => e.step === task.step.name && e.taskId === task.id;
  let seen = 0;
  let current: number | undefined;
  let from = o.attempt;
  let graceUntil: number | undefined;
  for (;;) {
    const events = await store.readEvents<LogEvent>(task.run.flow, task.run.id);
    // Without --attempt, start at the latest attempt already started (like the file tail does).
    from ??= events.filter((e) => e.type === 'attempt-started' && mine(e)).at(-1)?.attempt;
    const skip = seen === 0 && o.tailBytes !== undefined ? tailSkip(events, (e) => e.type === 'log' && mine(e) && e.stream === o.stream && e.attempt === (o.attempt ?? from), o.tailBytes) : undefined;
    for (const [i, e] of events.entries()) {
      if (i < seen) continue;
      if (e.type === 'log' && mine(e) && e.stream === o.stream && e.attempt !== undefined && e.attempt >= (from ?? 0) && (o.attempt === undefined || e.attempt === o.attempt)) {
        if (e.attempt !== current) yield { type: 'attempt', attempt: (current = e.attempt) };
        if (skip && e.attempt === skip.attempt && i <= skip.last) {
          if (i === skip.last) yield { type: 'skipped', attempt: e.attempt, bytes: skip.bytes };
          continue;
        }
        yield { type: 'data', attempt: e.attempt, data: Buffer.from(`${e.line ?? ''}\n`) };
      } else if (e.type === 'attempt-finished' && mine(e) && o.attempt !== undefined && e.attempt === o.attempt) {
        return yield { type: 'end', reason: 'attempt-finished', state: e.state };
      } else if (e.type === 'task-finished' && mine(e)) {
        return yield { type: 'end', reason: 'task-finished', state: e.state };
      } else if (e.type === 'run-finished') {
        return yield { type: 'end', reason: 'run-ended', state: e.state };
      }
    }
    seen = events.length;
    const end = await watch.runEnded(true);
    // The run's record says it ended just before its last events are flushed (~200 ms batches):
    // give them a moment (the loop returns as soon as it reads task-finished or run-finished).
    if (end && (end.reason !== 'run-ended' || Date.now() > (graceUntil ??= Date.now() + 3000))) return yield end;
    if (!(await watch.pause())) return yield { type: 'end', reason: 'aborted' };
  }
}

/** The log events to leave out so that at most `tail` bytes of an attempt's log remain: the index of the last one left out, and their bytes. */
function tailSkip(events: LogEvent[], isLine: (e: LogEvent) => boolean, tail: number): { attempt: number; last: number; bytes: number } | undefined {
  const lines = [...events.entries()].filter(([, e]) => isLine(e));
  let kept = 0;
  for (let j = lines.length - 1; j >= 0; j--) {
    kept += Buffer.byteLength(lines[j][1].line ?? '') + 1;
    if (kept > tail) {
      const bytes = lines.slice(0, j + 1).reduce((n, [, e]) => n + Buffer.byteLength(e.line ?? '') + 1, 0);
      return { attempt: lines[j][1].attempt!, last: lines[j][0], bytes };
    }
  }
  return undefined;
}

/** Polls the task's and run's records, throttled. */
class Watch {
  private lastRunCheck = 0;

  constructor(private readonly task: Task, private readonly store: Store, private readonly o: Opts) {}

  attempts(): Promise<number[]> {
    const t = this.task;
    return this.store.listAttempts(t.run.flow, t.run.id, t.step.name, t.id);
  }

  /** The task has a final record, or the run is over. */
  async ended(): Promise<EndChunk | undefined> {
    const t = this.task;
    const rec = await this.store.readTask(t.run.flow, t.run.id, t.step.name, t.id);
    if (rec && isFinal(rec.state)) return { type: 'end', reason: 'task-finished', state: rec.state };
    return this.runEnded(true);
  }

  /** The run finished or stopped heartbeating (checked at most once a second unless forced). */
  async runEnded(force = false): Promise<EndChunk | undefined> {
    if (!force && Date.now() - this.lastRunCheck < RUN_CHECK_MS) return undefined;
    this.lastRunCheck = Date.now();
    const run = await this.task.run.refresh();
    if (run.stale) return { type: 'end', reason: 'run-dead', state: run.state };
    return run.finished ? { type: 'end', reason: 'run-ended', state: run.state } : undefined;
  }

  async pause(): Promise<boolean> {
    if (this.o.signal?.aborted) return false;
    await sleep(this.o.pollMs, undefined, { signal: this.o.signal }).catch(() => {});
    return !this.o.signal?.aborted;
  }
}

function isFinal(state: TaskState): boolean {
  return state !== 'running' && state !== 'pending';
}
