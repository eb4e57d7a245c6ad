/** Talking to the `flowctl ui` server: JSON requests and server-sent event streams. A report has no server: see report.ts. */
import type { ReportData } from './types';

export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code: string | null) {
    super(message);
  }
}

/** The data a report file embeds, or null when served by `flowctl ui`. */
export const report: ReportData | null = (() => {
  const el = typeof document === 'undefined' ? null : document.getElementById('flowctl-report');
  return el?.textContent ? (JSON.parse(el.textContent) as ReportData) : null;
})();

export async function getJson<T>(path: string): Promise<T> {
  if (report) throw new ApiError('This is a report file: it has no server to ask', 0, 'REPORT');
  const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
  return answer<T>(res);
}

export async function postJson<T>(path: string, body: unknown): Promise<T> {
  const res = await fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return answer<T>(res);
}

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new ApiError(text.trim() || res.statusText, res.status, null);
  }
  if (!res.ok) {
    const e = body as { error?: string; code?: string; hint?: string | null };
    throw new ApiError(`${e.error ?? res.statusText}${e.hint ? ` (${e.hint})` : ''}`, res.status, e.code ?? null);
  }
  return body as T;
}

/** Query string from an object; undefined, null and '' values are left out, arrays repeat the key. */
export function qs(params: Record<string, string | number | undefined | null | readonly string[]>): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (Array.isArray(v)) for (const x of v) s.append(k, x);
    else if (v !== undefined && v !== null && v !== '') s.set(k, String(v));
  }
  const text = s.toString();
  return text ? `?${text}` : '';
}

/**
 * Listens to a server-sent events stream; handlers get each event's parsed data. The stream
 * closes itself on `end` (the browser would reconnect forever otherwise); the server reports a
 * failure as `failure` (`error` is the browser's own connection event). Returns a closer.
 */
export function live(path: string, handlers: Record<string, (data: any) => void>, onState?: (s: 'open' | 'retrying' | 'closed') => void): () => void {
  if (report) return () => {};
  const es = new EventSource(path, { withCredentials: true });
  let closed = false;
  const close = () => {
    closed = true;
    es.close();
    onState?.('closed');
  };
  for (const [event, fn] of Object.entries(handlers)) {
    es.addEventListener(event, (m) => {
      const data = (m as MessageEvent<unknown>).data;
      if (!closed && typeof data === 'string') fn(JSON.parse(data));
    });
  }
  es.addEventListener('end', () => close());
  es.addEventListener('open', () => onState?.('open'));
  es.onerror = () => {
    if (!closed) onState?.(es.readyState === EventSource.CLOSED ? 'closed' : 'retrying');
  };
  return close;
}
