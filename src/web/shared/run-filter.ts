/** The runs list's filter, the same on the server (GET /api/flows/:flow/runs) and in the browser (live updates). */
import type { RunRow, RunsQuery } from './types.js';

/** Whether a run matches every filter of the query. */
export function matchesRun(run: RunRow, q: RunsQuery): boolean {
  if (q.namespace && run.namespace !== q.namespace) return false;
  if (q.state?.length && !q.state.includes(run.status)) return false;
  if (q.tag?.length && !q.tag.every((t) => run.tags.includes(t))) return false;
  if (q.q && !run.runId.toLowerCase().includes(q.q.trim().toLowerCase())) return false;
  for (const p of q.param ?? []) {
    const eq = p.indexOf('=');
    const name = (eq < 0 ? p : p.slice(0, eq)).trim();
    if (!name) continue;
    if (!(name in run.params)) return false;
    if (eq >= 0 && paramText(run.params[name]) !== p.slice(eq + 1).trim()) return false;
  }
  return true;
}

/** A param value as the runs table shows it and `name=value` filters compare it. */
export function paramText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

/** The query as URL search params (repeated keys for lists). */
export function queryToSearch(q: RunsQuery): URLSearchParams {
  const s = new URLSearchParams();
  if (q.namespace) s.set('namespace', q.namespace);
  for (const v of q.state ?? []) s.append('state', v);
  for (const v of q.tag ?? []) s.append('tag', v);
  for (const v of q.param ?? []) s.append('param', v);
  if (q.q) s.set('q', q.q);
  return s;
}

/** The query from URL search params (the inverse of queryToSearch). */
export function searchToQuery(s: URLSearchParams): RunsQuery {
  return {
    namespace: s.get('namespace') || null,
    state: s.getAll('state').filter(Boolean) as RunsQuery['state'],
    tag: s.getAll('tag').filter(Boolean),
    param: s.getAll('param').filter(Boolean),
    q: s.get('q') ?? undefined,
  };
}
