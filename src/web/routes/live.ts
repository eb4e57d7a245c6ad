/**
 * Server-sent events: a run's events as they are appended to its log, new and changing runs of a
 * flow (a run started after the page opened appears), flows, and a task's log followed live. Each
 * stream reads the store at its own pace and waits for the browser to take what it sent, so a
 * long log or a fast run never piles up in the server's memory.
 */
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { Flow, producingTask } from '../../client/index.js';
import { listFlowRows, runRow } from '../runs-list.js';
import type { RunRow } from '../shared/types.js';
import type { WebDeps } from './deps.js';
import { attemptOf, streamOf, taskOf } from './task-ref.js';

type Send = (event: string, data: unknown) => Promise<void>;

/** Bytes of a log sent when a view opens on it: its tail; the rest is a download away. */
export const LOG_TAIL_BYTES = 512 * 1024;
const PING_MS = 15_000;
/** How long a finished run's last events may lag its record (the runtime flushes events in batches). */
const FINISH_GRACE_MS = 3000;
/** Runs a runs stream keeps watching for state changes (the newest ones). */
const WATCHED_RUNS = 50;

export function liveRoutes(app: Hono, deps: WebDeps): void {
  const { all } = deps;

  app.get('/api/runs/:flow/:runId/live', (c) => sse(c, async (send, signal) => {
    let run = await new Flow(c.req.param('flow'), all).run(c.req.param('runId'));
    let from = Math.max(0, Number(c.req.query('from') ?? 0) || 0);
    let lastCheck = 0;
    let endsAt: number | undefined;
    while (!signal.aborted) {
      const page = await run.events({ from, logs: false, maxBytes: 256 * 1024 });
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
      await pause(deps.pollMs, signal);
    }
  }));

  app.get('/api/live/runs', (c) => sse(c, async (send, signal) => {
    const flow = new Flow(c.req.query('flow') ?? '', all);
    const since = c.req.query('since') ?? '';
    const watched = new Map<string, { fp: string; settled: boolean }>();
    const fingerprint = (r: RunRow) => JSON.stringify([r.status, r.tags, r.finishedAt, r.taskCounts]);
    let first = true;
    while (!signal.aborted) {
      const ids = (await flow.runIds()).slice(0, WATCHED_RUNS);
      const changed: RunRow[] = [];
      for (const id of ids) {
        const w = watched.get(id);
        if (w?.settled) continue;
        const run = await flow.run(id).catch(() => undefined);
        if (!run) continue; // claimed, record not written yet
        const row = runRow(run);
        const fp = fingerprint(row);
        // The first round sends only runs newer than the page's newest; later rounds every new or changed run.
        if (fp !== w?.fp && (!first || id > since)) changed.push(row);
        watched.set(id, { fp, settled: run.finished });
      }
      first = false;
      if (changed.length > 0) await send('runs', changed);
      await pause(Math.max(deps.pollMs, 500), signal);
    }
  }));

  app.get('/api/live/flows', (c) => sse(c, async (send, signal) => {
    const ns = c.req.query('namespace');
    let last = '';
    while (!signal.aborted) {
      const rows = await listFlowRows(all, ns === undefined ? deps.namespace : ns || null);
      const text = JSON.stringify(rows);
      if (text !== last) await send('flows', rows);
      last = text;
      await pause(Math.max(deps.pollMs * 4, 2000), signal);
    }
  }));

  app.get('/api/logs/live', (c) => sse(c, async (send, signal) => {
    let task = await taskOf(c, all);
    if (task.attemptCount === 0 && task.cachedFrom) task = await producingTask(task);
    const decoders = new Map<number, StringDecoder>();
    const chunks = task.followLogs({ stream: streamOf(c), attempt: attemptOf(c), tailBytes: LOG_TAIL_BYTES, signal, pollMs: deps.pollMs });
    for await (const chunk of chunks) {
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
  }));
}

/** A server-sent events response; `body` ends when the browser goes away (signal) or it is done. */
function sse(c: Context, body: (send: Send, signal: AbortSignal) => Promise<void>): Response {
  return streamSSE(c, async (stream) => {
    const ac = new AbortController();
    stream.onAbort(() => ac.abort());
    c.req.raw.signal?.addEventListener('abort', () => ac.abort());
    const send: Send = (event, data) => stream.writeSSE({ event, data: JSON.stringify(data) });
    const ping = setInterval(() => void stream.write(': ping\n\n'), PING_MS);
    try {
      await body(send, ac.signal);
    } catch (e) {
      if (!ac.signal.aborted) await send('failure', { error: (e as Error).message, code: (e as { code?: string }).code ?? null });
    } finally {
      clearInterval(ping);
      ac.abort();
    }
  });
}

async function pause(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal }).catch(() => {});
}

