/** `flowctl ui` started as the real built CLI, server-sent events read with fetch, and the demo project. */
import { execa, type ResultPromise } from 'execa';
import { rm } from 'node:fs/promises';
import { BIN, makeProject } from '../helpers/cli.js';
import { DEMO_FILES } from './fixtures.js';

export interface UiProcess {
  /** As printed: `http://127.0.0.1:PORT/` (with `?token=` when one is required). */
  url: string;
  /** `http://127.0.0.1:PORT` */
  origin: string;
  proc: ResultPromise;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `flowctl ui --port 0 …` (without `--port 0` when args name a port… or `defaultPort`) in cwd; resolves once it printed its URL. */
export async function startUi(cwd: string, args: string[] = [], env: Record<string, string> = {}, opts: { defaultPort?: boolean } = {}): Promise<UiProcess> {
  const proc = execa('node', [BIN, 'ui', ...(opts.defaultPort ? [] : ['--port', '0']), ...args], { cwd, reject: false, env: { FLOWCTL_USER: 'tester', ...env }, buffer: false });
  let out = '';
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`flowctl ui printed no URL in 20 s:\n${err}`)), 20_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('http'));
      if (line) {
        clearTimeout(timer);
        resolve(line.trim());
      }
    });
    void proc.then((r) => { clearTimeout(timer); reject(new Error(`flowctl ui exited ${r.exitCode}:\n${err}`)); });
  });
  const port = new URL(url).port;
  return {
    url, origin: `http://127.0.0.1:${port}`, proc, stderr: () => err,
    stop: async () => {
      proc.kill('SIGTERM');
      await proc;
    },
  };
}

export interface SseEvent {
  event: string;
  data: any;
}

/** Reads a server-sent events stream until `until` says so (or the stream ends); fails after timeoutMs. */
export async function readSse(url: string, until: (e: SseEvent, all: SseEvent[]) => boolean, opts: { timeoutMs?: number; headers?: Record<string, string>; onOpen?: () => void } = {}): Promise<SseEvent[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), opts.timeoutMs ?? 20_000);
  const events: SseEvent[] = [];
  try {
    const res = await fetch(url, { signal: ac.signal, headers: opts.headers });
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    opts.onOpen?.();
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return events;
      buf += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, cut);
        buf = buf.slice(cut + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? 'message';
        const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
        if (!data) continue; // a keep-alive comment
        const e = { event, data: JSON.parse(data) };
        events.push(e);
        if (until(e, events)) {
          await reader.cancel();
          return events;
        }
      }
    }
  } catch (e) {
    if (ac.signal.aborted) throw new Error(`${url}: no expected event within ${opts.timeoutMs ?? 20_000} ms; got ${JSON.stringify(events).slice(0, 2000)}`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

export async function getJson<T = any>(url: string, init?: RequestInit): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

/** A temp project with demo.yaml and its scripts. */
export function demoProject(): Promise<string> {
  return makeProject(DEMO_FILES);
}

export async function removeAll(dirs: string[]): Promise<void> {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}
