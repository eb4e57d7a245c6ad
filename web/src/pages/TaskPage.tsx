/** A task: state, item, attempts with exit codes and reasons, values, cache origin, logs per attempt (live), artifacts with previews. */
import { useEffect, useState } from 'react';
import { Link } from 'wouter';
import { ArtifactPreview } from '../components/ArtifactPreview';
import { ErrorBox, Loading, Page, Section } from '../components/Layout';
import { LogView } from '../components/LogView';
import { StateBadge } from '../components/State';
import { bytes, duration, shortHash, time, valueText } from '../format';
import { useJson } from '../hooks';
import { flowHref, runHref, taskHref } from '../links';
import type { TaskDetail } from '../types';

export function TaskPage({ flow, runId, step, taskId }: { flow: string; runId: string; step: string; taskId: string }) {
  const e = encodeURIComponent;
  const detail = useJson<TaskDetail>(`/api/runs/${e(flow)}/${e(runId)}/steps/${e(step)}/tasks/${e(taskId)}`);
  const d = detail.data;
  const running = !d || d.task.state === 'running' || d.task.state === 'pending';
  // Attempts and the final record appear while the task runs: look again until it finishes.
  useEffect(() => {
    if (!running || detail.error) return;
    const id = setInterval(detail.reload, 1500);
    return () => clearInterval(id);
  }, [running, detail.error, detail.reload]);
  const [picked, setPicked] = useState<number | null>(null);
  const [stream, setStream] = useState<'stdout' | 'stderr'>('stdout');
  const [artifact, setArtifact] = useState<string | null>(null);

  const crumbs: Array<[string, string | null]> = [[flow, flowHref(flow)], [runId, runHref(flow, runId)], [`${step}/${taskId}`, null]];
  if (!d) return <Page crumbs={crumbs}>{detail.error ? <ErrorBox error={detail.error} /> : <Loading what="the task" />}</Page>;
  const t = d.task;
  const logAttempts = d.logsOf ? d.logsOf.attempts : d.attempts;
  const logTarget = d.logsOf ?? { flow, runId, step, taskId };
  const attempt = picked ?? logAttempts.at(-1)?.attempt ?? null;
  const shown = artifact ?? d.artifacts[0]?.path ?? null;
  return (
    <Page crumbs={crumbs}>
      <div className="run-summary" data-testid="task-summary">
        <div className="run-title"><StateBadge state={t.state} /><h1 className="mono">{t.step}/{t.taskId}</h1>{t.caught && <span className="muted">(failure caught)</span>}</div>
        <dl className="facts">
          {t.item !== null && <div><dt>item</dt><dd className="mono">{valueText(t.item)}</dd></div>}
          <div><dt>started</dt><dd>{time(t.startedAt)}</dd></div>
          <div><dt>duration</dt><dd>{duration(t.durationMs)}</dd></div>
          <div><dt>attempts</dt><dd>{t.attempts}</dd></div>
          {t.reason && <div><dt>reason</dt><dd className="reason">{t.reason}</dd></div>}
          {t.cachedFrom && (
            <div><dt>{t.reuse === 'resume' ? 'cloned from' : 'cached from'}</dt><dd className="mono" data-testid="cached-from">
              <Link href={taskHref(flow, t.cachedFrom.runId, t.cachedFrom.step, t.cachedFrom.taskId)}>{t.cachedFrom.runId}/{t.cachedFrom.step}/{t.cachedFrom.taskId}</Link>
            </dd></div>
          )}
          {t.cacheKey && <div><dt>cache key</dt><dd className="mono" title={t.cacheKey}>{shortHash(t.cacheKey)}</dd></div>}
          {(d.cache.status === 'ran' || d.cache.status === 'would-run') && (
            <div><dt>not reused</dt><dd data-testid="why-not-cached">
              {d.cache.reason === 'changed' ? d.cache.changes.map((c) => c.text).join('; ') : d.cache.summary.replace(/^(ran|would run): /, '')}
              {d.cache.comparedWith && (
                <> (compared with <Link className="mono" href={taskHref(flow, d.cache.comparedWith.runId, d.cache.comparedWith.step, d.cache.comparedWith.taskId)}>
                  {d.cache.comparedWith.runId}/{d.cache.comparedWith.step}/{d.cache.comparedWith.taskId}
                </Link>)</>
              )}
            </dd></div>
          )}
        </dl>
        {t.command && <pre className="command mono" title="command (secrets masked)">{t.command}</pre>}
      </div>

      <Section title="Attempts" id="attempts">
        {d.attempts.length === 0 ? <p className="muted">{d.logsOf ? `None of its own: it reused ${d.logsOf.pathspec}, whose logs are below.` : 'No attempt yet.'}</p> : (
          <table className="grid" data-testid="attempts-table">
            <thead><tr><th>attempt</th><th>state</th><th>exit code</th><th>signal</th><th>started</th><th>duration</th><th>reason</th></tr></thead>
            <tbody>{d.attempts.map((a) => (
              <tr key={a.attempt}>
                <td>{a.attempt}</td><td><StateBadge state={a.state} /></td><td className="mono">{a.exitCode ?? '–'}</td><td>{a.signal ?? '–'}</td>
                <td>{time(a.startedAt)}</td><td>{duration(a.durationMs)}</td><td className="reason">{a.reason ?? ''}</td>
              </tr>
            ))}</tbody>
          </table>
        )}
      </Section>

      <Section title="Logs" id="logs" extra={d.logsOf && <span className="muted">of {d.logsOf.pathspec}</span>}>
        {attempt === null ? <p className="muted">No logs: the task has not started an attempt{t.state === 'skipped' ? ' (it was skipped)' : ''}.</p> : (
          <>
            <div className="tabs">
              {logAttempts.map((a) => (
                <button key={a.attempt} className={a.attempt === attempt ? 'on' : ''} onClick={() => setPicked(a.attempt)} data-testid="attempt-tab">attempt {a.attempt}</button>
              ))}
              <span className="tab-gap" />
              {(['stdout', 'stderr'] as const).map((s) => (
                <button key={s} className={s === stream ? 'on' : ''} onClick={() => setStream(s)} data-testid={`stream-${s}`}>{s}</button>
              ))}
            </div>
            <LogView target={logTarget} stream={stream} attempt={attempt} />
          </>
        )}
      </Section>

      <Section title="Values" id="task-values">
        {Object.keys(t.values).length === 0 ? <p className="muted">None published.</p> : (
          <table className="kv" data-testid="task-values"><tbody>
            {Object.entries(t.values).map(([k, v]) => <tr key={k}><th className="mono">{k}</th><td className="mono value">{valueText(v)}</td></tr>)}
          </tbody></table>
        )}
      </Section>

      <Section title="Artifacts" id="artifacts">
        {d.artifacts.length === 0 ? <p className="muted">{t.state === 'succeeded' || t.state === 'cached' ? 'The step declares no outputs.' : 'Outputs are stored only when a task succeeds.'}</p> : (
          <div className="artifacts">
            <ul className="files" data-testid="artifact-list">
              {d.artifacts.map((a) => (
                <li key={a.path}>
                  <button className={`linklike${a.path === shown ? ' on' : ''}`} onClick={() => setArtifact(a.path)} data-testid="artifact-link">{a.path}{a.type === 'dir' ? '/' : ''}</button>
                  <span className="muted small"> {bytes(a.size)}</span>
                </li>
              ))}
            </ul>
            {shown && <ArtifactPreview task={{ flow, runId, step, taskId }} path={shown} />}
          </div>
        )}
      </Section>
    </Page>
  );
}
