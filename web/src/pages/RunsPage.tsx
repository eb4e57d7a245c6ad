/** Runs of a flow: filters (namespace, state, tag, param, run id), params as columns, pick runs to compare; new runs appear live. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { matchesRun, paramText, queryToSearch } from '../../../src/web/shared/run-filter';
import { live, qs } from '../api';
import { useConfig } from '../config';
import { ErrorBox, Loading, Page } from '../components/Layout';
import { StateBadge } from '../components/State';
import { duration, elapsed, time } from '../format';
import { useJson, useNow } from '../hooks';
import { compareHref, runHref } from '../links';
import type { RunRow, RunsPage as RunsPageData, RunsQuery, RunStatus } from '../types';

const STATES: RunStatus[] = ['running', 'succeeded', 'failed', 'interrupted', 'dead', 'damaged'];
const ROW_H = 32;
const MAX_PARAM_COLUMNS = 8;

export function RunsPage({ flow }: { flow: string }) {
  const config = useConfig();
  const [query, setQuery] = useState<RunsQuery>({ namespace: config.namespace, state: [], tag: [], param: [], q: '' });
  const [typed, setTyped] = useState({ q: '', param: '' });
  // Typing settles for a moment before it asks the server again.
  useEffect(() => {
    const id = setTimeout(() => setQuery((q) => ({ ...q, q: typed.q, param: typed.param.split(',').map((s) => s.trim()).filter(Boolean) })), 200);
    return () => clearTimeout(id);
  }, [typed]);
  const search = queryToSearch(query).toString();
  const page = useJson<RunsPageData>(`/api/flows/${encodeURIComponent(flow)}/runs${search ? `?${search}` : ''}`);
  const newest = page.data?.runs[0]?.runId ?? '';
  const loadedAt = page.data ? 1 : 0;
  useEffect(() => {
    if (!loadedAt) return;
    return live(`/api/live/runs${qs({ flow, since: newest })}`, {
      runs: (rows: RunRow[]) => page.setData((d) => d && upsert(d, rows, query)),
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [flow, search, loadedAt]);
  const [selected, setSelected] = useState<string[]>([]);
  const [, navigate] = useLocation();
  const data = page.data;
  const anyRunning = !!data?.runs.some((r) => r.status === 'running');
  const now = useNow(1000, anyRunning);
  const paramCols = useMemo(() => (data?.paramNames ?? []).slice(0, MAX_PARAM_COLUMNS), [data?.paramNames]);
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: data?.runs.length ?? 0, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 12 });
  const toggleState = (s: RunStatus) => setQuery((q) => ({ ...q, state: q.state?.includes(s) ? q.state.filter((x) => x !== s) : [...(q.state ?? []), s] }));
  const cols = `28px minmax(200px,1.4fr) 105px 140px 80px minmax(60px,90px) minmax(80px,120px) minmax(70px,1fr) ${paramCols.map(() => 'minmax(50px,0.6fr)').join(' ')}`;

  return (
    <Page crumbs={[[flow, null]]} actions={
      <button disabled={selected.length < 2} data-testid="compare-button" onClick={() => navigate(compareHref(selected.map((id) => `${flow}/${id}`)))}>
        compare {selected.length > 0 ? `(${selected.length})` : ''}
      </button>}>
      <div className="toolbar filters" data-testid="run-filters">
        <input placeholder="search run id" value={typed.q} onChange={(e) => setTyped((t) => ({ ...t, q: e.target.value }))} data-testid="filter-q" />
        <select value={query.namespace ?? ''} onChange={(e) => setQuery((q) => ({ ...q, namespace: e.target.value || null }))} data-testid="filter-namespace">
          <option value="">all namespaces</option>
          {[...new Set([...(data?.namespaces ?? []), ...(config.namespace ? [config.namespace] : [])])].map((n) => <option key={n} value={n}>{n}</option>)}
        </select>
        <span className="chips">
          {STATES.map((s) => (
            <label key={s} className={`chip${query.state?.includes(s) ? ' on' : ''}`} data-testid={`filter-state-${s}`}>
              <input type="checkbox" checked={!!query.state?.includes(s)} onChange={() => toggleState(s)} />{s}
            </label>
          ))}
        </span>
        <select value={query.tag?.[0] ?? ''} onChange={(e) => setQuery((q) => ({ ...q, tag: e.target.value ? [e.target.value] : [] }))} data-testid="filter-tag">
          <option value="">any tag</option>
          {(data?.tags ?? []).map((t) => <option key={t} value={t}>{t}</option>)}
        </select>
        <input placeholder="param=value, …" value={typed.param} onChange={(e) => setTyped((t) => ({ ...t, param: e.target.value }))} data-testid="filter-param" />
      </div>
      {page.error && <ErrorBox error={page.error} />}
      {!data ? <Loading what="runs" /> : (
        <>
          <div className="muted small" data-testid="runs-count">
            {data.runs.length} of {data.matched} matching runs{data.truncated ? ' (the most recent shown)' : ''} · {data.total} runs of {flow} in all
          </div>
          <div className="runs-table" data-testid="runs-table">
            <div className="vt-head vt-row" style={{ gridTemplateColumns: cols }}>
              <span /><span>run</span><span>state</span><span>started</span><span>duration</span><span>user</span><span>namespace</span><span>tags</span>
              {paramCols.map((p) => <span key={p} className="mono" title={`param ${p}`}>{p}</span>)}
            </div>
            <div className="vt-body" ref={scroller} style={{ maxHeight: 'calc(100vh - 220px)' }}>
              <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
                {virt.getVirtualItems().map((v) => {
                  const r = data.runs[v.index];
                  const on = selected.includes(r.runId);
                  return (
                    <div key={r.runId} className={`vt-row${on ? ' picked' : ''}`} data-testid="run-row" data-run={r.runId}
                      style={{ gridTemplateColumns: cols, position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${v.start}px)` }}>
                      <span><input type="checkbox" checked={on} aria-label={`select ${r.runId}`} data-testid="run-select"
                        onChange={() => setSelected((s) => (on ? s.filter((x) => x !== r.runId) : [...s, r.runId]))} /></span>
                      <span className="mono"><Link href={runHref(flow, r.runId)}>{r.runId}</Link></span>
                      <span><StateBadge state={r.status} /></span>
                      <span>{time(r.startedAt)}</span>
                      <span>{duration(r.durationMs ?? (r.status === 'running' ? elapsed(r.startedAt, null, now) : null))}</span>
                      <span className="ellipsis">{r.user}</span>
                      <span className="ellipsis">{r.namespace}</span>
                      <span className="ellipsis">{r.tags.map((t) => <span key={t} className="tag">{t}</span>)}</span>
                      {paramCols.map((p) => <span key={p} className="mono ellipsis" title={paramText(r.params[p])}>{p in r.params ? paramText(r.params[p]) : ''}</span>)}
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
          {data.runs.length === 0 && <p className="empty">No run matches these filters.</p>}
        </>
      )}
    </Page>
  );
}

/** New or changed runs merged into the page (newest first), if they match its filters. */
function upsert(d: RunsPageData, rows: RunRow[], query: RunsQuery): RunsPageData {
  const byId = new Map(d.runs.map((r) => [r.runId, r]));
  let added = 0;
  for (const r of rows) {
    if (!byId.has(r.runId)) added++;
    if (matchesRun(r, query)) byId.set(r.runId, r);
    else byId.delete(r.runId);
  }
  const runs = [...byId.values()].sort((a, b) => (a.runId < b.runId ? 1 : -1));
  const namespaces = [...new Set([...d.namespaces, ...rows.map((r) => r.namespace)])].sort();
  const tags = [...new Set([...d.tags, ...rows.flatMap((r) => r.tags)])].sort();
  const paramNames = [...new Set([...d.paramNames, ...rows.flatMap((r) => Object.keys(r.params))])];
  return { ...d, runs, matched: d.matched + (runs.length - d.runs.length), total: d.total + added, namespaces, tags, paramNames };
}
