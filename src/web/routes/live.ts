/**
 * Server-sent events: a run's events as they are appended to its log, new and changing runs of a
 * flow (a run started after the page opened appears), flows, and a task's log followed live. Each
 * stream reads the store at its own pace and waits for the browser to take what it sent, so a
 * long log or a fast run never piles up in the server's memory. Each route finds what it streams
 * before the stream starts: a bad name or an unknown run is an HTTP error, not an event.
 */
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { producingTask, type Flow, type LogStream, type Run, type Task } from '../../client/index.js';
import { listFlowRows, runRow } from '../runs-list.js';
import type { RunRow } from '../shared/types.js';
import type { WebDeps } from './deps.js';
import { attemptOf, flowOf, runOf, streamOf, taskOf } from './task-ref.js';

type Send = (event: string, data: unknown) => Promise<void>;
type Body = (send: Send, signal: AbortSignal) => Promise<void>;

/** Bytes of a log sent when a view opens on it: its tail; the rest is a download away. */
export const LOG_TAIL_BYTES = 512 * 1024;
const PING_MS = 15_000;
/** How long a finished run's last events may lag its record (the runtime flushes events in batches). */
const FINISH_GRACE_MS = 3000;
/** Runs a runs stream keeps watching for state changes (the newest ones). */
const WATCHED_RUNS = 50;
const EVENTS_SLICE = 256 * 1024;

/** GET /api/runs/:flow/:runId/live?from=, /api/live/runs?flow=&since=, /api/live/flows, /api/logs/live (server-sent events). */
export function liveRoutes(app: Hono, deps: WebDeps): void {
  const { all } = deps;

  app.get('/api/runs/:flow/:runId/live', async (c) => {
    const run = await runOf(all, c.req.param('flow'), c.req.param('runId'));
    return sse(c, followRun(run, Math.max(0, Number(c.req.query('from') ?? 0) || 0), deps.pollMs));
  });

  app.get('/api/live/runs', (c) => sse(c, watchRuns(flowOf(all, c.req.query('flow') ?? ''), c.req.query('since') ?? '', deps.pollMs)));

  app.get('/api/live/flows', (c) => {
    const ns = c.req.query('namespace');
    return sse(c, watchFlows(deps, ns === undefined ? deps.namespace : ns || null));
  });

  app.get('/api/logs/live', async (c) => {
    let task = await taskOf(c, all);
    if (task.attemptCount === 0 && task.cachedFrom) task = await producingTask(task);
    return sse(c, followLog(task, streamOf(c), attemptOf(c), deps.pollMs));
  });
}

/** The run's events (log lines left out) from byte offset `from`, until it finishes or dies. */
function followRun(start: Run, from: number, pollMs: number): Body {
  return async (send, signal) => {
    let run = start;
    let lastCheck = 0;
    let endsAt: number | undefined;
    let idle = 0;
    while (!signal.aborted) {
      const page = await run.events({ from, logs: false, maxBytes: EVENTS_SLICE });
      idle = page.next > from ? 0 : idle + 1;
      from = page.next;
      if (page.events.length > 0) await send('events', { events: page.events, offset: from });
      if (page.events.some((e) => e.type === 'run-finished')) return send('end', { reason: 'run-finished' });
      if (page.more) continue;
      if (Date.now() - lastCheck > 1000) {
        lastCheck = Date.now();
        run = await run.refresh();
        if (run.stale) return send('end', { reason: 'run-dead' });
        if (run.finished) endsAt ??= Date.now() + FINISH_GRACE_MS;
        if (endsAt !== undefined && Date.now() > endsAt) return send('end', { reason: 'run-finished' });
      }
      await pause(backoff(pollMs, idle), signal);
    }
  };
}

/** New runs of the flow, and changes to runs still going; the first round only runs newer than `since` (the page's newest). */
function watchRuns(flow: Flow, since: string, pollMs: number): Body {
  return async (send, signal) => {
    const watched = new Map<string, { fp: string; settled: boolean }>();
    const fingerprint = (r: RunRow) => JSON.stringify([r.status, r.tags, r.finishedAt, r.taskCounts]);
    let idle = 0;
    for (let first = true; !signal.aborted; first = false) {
      const changed: RunRow[] = [];
      for (const id of (await flow.runIds()).slice(0, WATCHED_RUNS)) {
        const w = watched.get(id);
        if (w?.settled) continue;
        const run = await flow.run(id).catch(() => undefined);
        if (!run) continue; // claimed, its record not written yet
        const row = runRow(run);
        const fp = fingerprint(row);
        if (fp !== w?.fp && (!first || id > since)) changed.push(row);
        watched.set(id, { fp, settled: run.finished });
      }
      if (changed.length > 0) await send('runs', changed);
      idle = changed.length > 0 || [...watched.values()].some((w) => !w.settled) ? 0 : idle + 1;
      await pause(backoff(Math.max(pollMs, 500), idle), signal);
    }
  };
}

/** The flows list, again whenever it changes. */
function watchFlows(deps: WebDeps, namespace: string | null): Body {
  return async (send, signal) => {
    let last = '';
    while (!signal.aborted) {
      const rows = await listFlowRows(deps.all, namespace);
      const text = JSON.stringify(rows);
      if (text !== last) await send('flows', rows);
      last = text;
      await pause(Math.max(deps.pollMs * 4, 2000), signal);
    }
  };
}

/** A task's log from its tail, through retries, until the task (or the asked attempt) ends. */
function followLog(task: Task, stream: LogStream, attempt: number | undefined, pollMs: number): Body {
  return async (send, signal) => {
    const decoders = new Map<number, StringDecoder>();
    for await (const chunk of task.followLogs({ stream, attempt, tailBytes: LOG_TAIL_BYTES, signal, pollMs })) {
      if (chunk.type === 'data') {
        const d = decoders.get(chunk.attempt) ?? new StringDecoder('utf8');
        decoders.set(chunk.attempt, d);
        await send('data', { attempt: chunk.attempt, text: d.write(chunk.data) });
      } else if (chunk.type === 'end') {
        return send('end', { reason: chunk.reason, state: chunk.state ?? null });
      } else {
        await send(chunk.type, chunk);
      }
    }
  };
}

/** A server-sent events response; `body` ends when the browser goes away (signal) or it is done. */
function sse(c: Context, body: Body): Response {
  return streamSSE(c, async (stream) => {
    const ac = new AbortController();
    stream.onAbort(() => ac.abort());
    c.req.raw.signal?.addEventListener('abort', () => ac.abort());
    const send: Send = (event, data) => stream.writeSSE({ event, data: JSON.stringify(data) });
    const ping = setInterval(() => void stream.write(': ping\n\n'), PING_MS);
    try {
      await body(send, ac.signal);
    } catch (e) {
      // `error` is the browser's own connection event: failures go as `failure`.
      if (!ac.signal.aborted) await send('failure', { error: (e as Error).message, code: (e as { code?: string }).code ?? null });
    } finally {
      clearInterval(ping);
      ac.abort();
    }
  });
}

/** The poll interval after `idle` rounds that found nothing new: doubling up to 2 s (a quiet S3 store is not asked 4 times a second). */
function backoff(base: number, idle: number): number {
  return Math.min(base * 2 ** Math.min(idle, 8), Math.max(base, 2000));
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => {});
}
