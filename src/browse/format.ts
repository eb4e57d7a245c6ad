/** Text formatting of times, sizes, states and values for `show`, `logs` and `tag`. */
import type { RunJson } from '../client/types.js';
import { formatDuration } from '../term/format.js';

/** `2026-11-26 13:31:52` in local time (like `git log --date=iso`, without the zone). */
export function localTime(iso: string | null | undefined): string {
  if (!iso) return '-';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '-';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export function duration(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : formatDuration(ms);
}

/** A run's duration, or its elapsed time so far (`12s+`) while it runs. */
export function runDuration(run: RunJson, now = Date.now()): string {
  if (run.durationMs !== null) return formatDuration(run.durationMs);
  if (run.state !== 'running' || run.stale) return '-';
  return `${formatDuration(Math.max(0, now - Date.parse(run.startedAt ?? '')))}+`;
}

/** `dead?` for a running run whose heartbeat stopped. */
export function runState(run: RunJson): string {
  return run.stale ? 'dead?' : run.state;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

export function shortHash(hash: string | null | undefined): string {
  return hash ? hash.slice(0, 12) : '-';
}

/** A value as one line: strings bare, everything else as JSON. */
export function value(v: unknown): string {
  if (v === undefined) return '-';
  return typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
}
