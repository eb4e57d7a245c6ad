/** The store's flows, each with its latest run; new flows and runs appear live. */
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { live, qs } from '../api';
import { useConfig } from '../config';
import { ErrorBox, Loading, Page } from '../components/Layout';
import { StateBadge } from '../components/State';
import { duration, time } from '../format';
import { useJson } from '../hooks';
import { flowHref, runHref } from '../links';
import type { FlowRow } from '../types';

export function FlowsPage() {
  const config = useConfig();
  const [ns, setNs] = useState<string | null>(config.namespace);
  const path = `/api/flows${qs({ namespace: ns ?? '' })}`;
  const flows = useJson<FlowRow[]>(path);
  useEffect(() => live(`/api/live/flows${qs({ namespace: ns ?? '' })}`, { flows: (rows: FlowRow[]) => flows.setData(() => rows) }), [ns]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Page crumbs={[['flows', null]]}>
      <div className="toolbar">
        <label>namespace{' '}
          <select value={ns ?? ''} onChange={(e) => setNs(e.target.value || null)} data-testid="flows-namespace">
            <option value="">all namespaces</option>
            {config.namespace && <option value={config.namespace}>{config.namespace}</option>}
          </select>
        </label>
        <span className="muted small">store: {config.datastore}</span>
      </div>
      {flows.error && <ErrorBox error={flows.error} />}
      {!flows.data ? <Loading what="flows" /> : flows.data.length === 0 ? (
        <p className="empty">No runs in this store yet. Start one with <code>flowctl run FLOW.yaml</code>: it appears here as it starts.</p>
      ) : (
        <table className="grid" data-testid="flows-table">
          <thead><tr><th>flow</th><th>runs</th><th>latest run</th><th>state</th><th>started</th><th>duration</th></tr></thead>
          <tbody>
            {flows.data.map((f) => (
              <tr key={f.flow} data-testid="flow-row">
                <td><Link href={flowHref(f.flow)}>{f.flow}</Link></td>
                <td>{f.runs}</td>
                <td className="mono">{f.latest ? <Link href={runHref(f.flow, f.latest.runId)}>{f.latest.runId}</Link> : <span className="muted">none in this namespace</span>}</td>
                <td>{f.latest && <StateBadge state={f.latest.status} />}</td>
                <td>{time(f.latest?.startedAt)}</td>
                <td>{duration(f.latest?.durationMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
