/** 2–N runs side by side: params, values (with a chart of numeric ones), outputs that changed, step durations. */
import { useMemo, useState } from 'react';
import { Link } from 'wouter';
import { qs } from '../api';
import { BarChart } from '../components/BarChart';
import { ErrorBox, Loading, Page, Section } from '../components/Layout';
import { StateBadge } from '../components/State';
import { duration, shortHash, valueText } from '../format';
import { useJson } from '../hooks';
import { runHref } from '../links';
import type { CompareView } from '../types';

/** Numeric values charted at most (differing ones first). */
const CHART_KEYS = 24;

export function ComparePage({ runs }: { runs: string[] }) {
  const view = useJson<CompareView>(`/api/compare${qs({ runs: runs.join(',') })}`);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const v = view.data;
  const chart = useMemo(() => {
    if (!v) return null;
    const numeric = v.values.filter((x) => x.numeric);
    const keys = [...numeric.filter((x) => x.differs), ...numeric.filter((x) => !x.differs)].slice(0, CHART_KEYS);
    return { labels: keys.map((k) => k.key), series: v.runs.map((r, i) => ({ label: r.runId, values: keys.map((k) => (typeof k.values[i] === 'number' ? (k.values[i] as number) : null)) })) };
  }, [v]);
  const durations = useMemo(() => v && {
    labels: v.durations.map((d) => d.step),
    series: v.runs.map((r, i) => ({ label: r.runId, values: v.durations.map((d) => (d.values[i] === null ? null : d.values[i]! / 1000)) })),
  }, [v]);
  const flow = runs[0]?.split('/')[0] ?? '';
  const crumbs: Array<[string, string | null]> = [[flow, `/flows/${encodeURIComponent(flow)}`], [`compare ${runs.length} runs`, null]];
  if (!v) return <Page crumbs={crumbs}>{view.error ? <ErrorBox error={view.error} /> : <Loading what="the comparison" />}</Page>;
  const head = (
    <thead><tr><th />{v.runs.map((r) => (
      <th key={r.runId} className="mono"><Link href={runHref(r.flow, r.runId)}>{r.runId}</Link> <StateBadge state={r.status} /></th>
    ))}</tr></thead>
  );
  const cell = (x: unknown, i: number, differs: boolean) => <td key={i} className={`mono value${differs ? ' differs' : ''}`}>{valueText(x)}</td>;
  const values = onlyDiff ? v.values.filter((x) => x.differs) : v.values;
  return (
    <Page crumbs={crumbs}>
      <label className="toolbar"><input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> only what differs</label>
      <Section title="Runs" id="compare-runs">
        <table className="grid compare">{head}<tbody>
          <tr><th>duration</th>{v.runs.map((r, i) => <td key={i}>{duration(r.durationMs)}</td>)}</tr>
          <tr><th>started</th>{v.runs.map((r, i) => <td key={i}>{r.startedAt ? r.startedAt.replace('T', ' ').slice(0, 19) : '-'}</td>)}</tr>
          <tr><th>code</th>{v.runs.map((r, i) => <td key={i} className={`mono${new Set(v.runs.map((x) => x.codeHash)).size > 1 ? ' differs' : ''}`}>{shortHash(r.codeHash)}</td>)}</tr>
          <tr><th>tags</th>{v.runs.map((r, i) => <td key={i}>{r.tags.join(', ')}</td>)}</tr>
        </tbody></table>
      </Section>
      <Section title="Params" id="compare-params">
        <table className="grid compare" data-testid="compare-params">{head}<tbody>
          {(onlyDiff ? v.params.filter((p) => p.differs) : v.params).map((p) => (
            <tr key={p.name} data-differs={p.differs}><th className="mono">{p.name}</th>{p.values.map((x, i) => cell(x, i, p.differs))}</tr>
          ))}
        </tbody></table>
      </Section>
      <Section title="Values" id="compare-values" extra={v.truncated ? <span className="muted">(truncated)</span> : undefined}>
        {chart && chart.labels.length > 0 && <BarChart labels={chart.labels} series={chart.series} testId="values-chart" />}
        <div className="scroll-box">
          <table className="grid compare" data-testid="compare-values">{head}<tbody>
            {values.map((x) => <tr key={x.key} data-differs={x.differs}><th className="mono">{x.key}</th>{x.values.map((y, i) => cell(y, i, x.differs))}</tr>)}
          </tbody></table>
        </div>
        {values.length === 0 && <p className="muted">No values{onlyDiff ? ' differ' : ''}.</p>}
      </Section>
      <Section title="Outputs that changed" id="compare-outputs">
        {v.outputs.length === 0 ? <p className="muted">Every output is identical across these runs.</p> : (
          <div className="scroll-box">
            <table className="grid compare" data-testid="compare-outputs">{head}<tbody>
              {v.outputs.map((o) => <tr key={o.key}><th className="mono">{o.key}</th>{o.sha256.map((h, i) => <td key={i} className="mono">{h ? shortHash(h) : <span className="muted">absent</span>}</td>)}</tr>)}
            </tbody></table>
          </div>
        )}
      </Section>
      <Section title="Step durations (s)" id="compare-durations">
        {durations && <BarChart labels={durations.labels} series={durations.series} testId="durations-chart" yTitle="seconds" />}
        <table className="grid compare">{head}<tbody>
          {v.durations.map((d) => <tr key={d.step}><th className="mono">{d.step}</th>{d.values.map((x, i) => <td key={i}>{duration(x)}</td>)}</tr>)}
        </tbody></table>
      </Section>
    </Page>
  );
}
