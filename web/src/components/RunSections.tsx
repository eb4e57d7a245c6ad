/** Parts of the run page: failures with their last lines, params, values, and a report's log tails. */
import { useState } from 'react';
import { Link } from 'wouter';
import { report } from '../api';
import { valueText } from '../format';
import { taskHref } from '../links';
import type { FailureView, ValuesRow } from '../types';
import { Section } from './Layout';
import { StateBadge } from './State';

export function Failures({ failures, flow, runId, tails }: { failures: FailureView[]; flow: string; runId: string; tails?: Record<string, { stdout: string[]; stderr: string[] }> }) {
  const [all, setAll] = useState(false);
  const shown = all ? failures : failures.slice(0, 20);
  return (
    <Section title={`Failures (${failures.length})`} id="failures">
      <ul className="failures">
        {shown.map((f) => {
          const name = `${f.step}/${f.taskId}`;
          const lines = f.lastLines.length > 0 ? f.lastLines : tails?.[name]?.stderr.length ? tails[name].stderr : tails?.[name]?.stdout ?? [];
          return (
            <li key={name} className={f.caught ? 'caught' : ''} data-testid="failure">
              <div>
                <StateBadge state={f.caught ? 'caught' : 'failed'} />{' '}
                {report ? <b className="mono">{name}</b> : <Link href={taskHref(flow, runId, f.step, f.taskId)} className="mono">{name}</Link>}
                {f.reason && <span className="reason"> — {f.reason}</span>}
                <span className="muted"> ({f.attempts} attempt{f.attempts === 1 ? '' : 's'})</span>
              </div>
              {lines.length > 0 && <pre className="log small">{lines.join('\n')}</pre>}
            </li>
          );
        })}
      </ul>
      {failures.length > shown.length && <button onClick={() => setAll(true)}>show all {failures.length}</button>}
    </Section>
  );
}

export function ParamsTable({ params, secret }: { params: Record<string, unknown>; secret: string[] }) {
  const names = Object.keys(params);
  if (names.length === 0) return <p className="muted">No params.</p>;
  return (
    <table className="kv" data-testid="params">
      <tbody>
        {names.map((n) => (
          <tr key={n}><th>{n}</th><td className="mono">{valueText(params[n])}{secret.includes(n) && <span className="muted"> (secret)</span>}</td></tr>
        ))}
      </tbody>
    </table>
  );
}

export function ValuesTable({ rows, hrefOf }: { rows: ValuesRow[]; hrefOf: (step: string, taskId: string) => string }) {
  if (rows.length === 0) return <p className="muted">No task published values.</p>;
  const flat = rows.flatMap((r) => Object.entries(r.values).map(([k, v]) => ({ ...r, k, v })));
  return (
    <div className="scroll-box">
      <table className="grid" data-testid="values">
        <thead><tr><th>task</th><th>name</th><th>value</th></tr></thead>
        <tbody>
          {flat.slice(0, 1000).map((x) => (
            <tr key={`${x.step}/${x.taskId}.${x.k}`}>
              <td className="mono">{report ? `${x.step}/${x.taskId}` : <Link href={hrefOf(x.step, x.taskId)}>{x.step}/{x.taskId}</Link>}</td>
              <td className="mono">{x.k}</td>
              <td className="mono value">{valueText(x.v)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {flat.length > 1000 && <p className="muted">… and {flat.length - 1000} more</p>}
    </div>
  );
}

export function LogTails({ tails }: { tails: Record<string, { stdout: string[]; stderr: string[] }> }) {
  const names = Object.keys(tails);
  if (names.length === 0) return null;
  return (
    <Section title="Log tails" id="log-tails">
      {names.map((n) => (
        <details key={n} className="tail" open={names.length <= 6}>
          <summary className="mono">{n}</summary>
          {tails[n].stdout.length > 0 && <><div className="muted small">stdout</div><pre className="log small">{tails[n].stdout.join('\n')}</pre></>}
          {tails[n].stderr.length > 0 && <><div className="muted small">stderr</div><pre className="log small">{tails[n].stderr.join('\n')}</pre></>}
          {tails[n].stdout.length + tails[n].stderr.length === 0 && <div className="muted small">no output</div>}
        </details>
      ))}
    </Section>
  );
}
