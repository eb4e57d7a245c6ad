/** A run: summary, failures first, the DAG with live states, a step's tasks, the timeline, params and values. */
import { useEffect, useMemo, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { applyEvents } from '../../../src/web/shared/run-reducer';
import { live, report } from '../api';
import { Dag } from '../components/Dag';
import { ErrorBox, Loading, Page, Section } from '../components/Layout';
import { StateBadge } from '../components/State';
import { Tags } from '../components/Tags';
import { TaskTable } from '../components/TaskTable';
import { Timeline } from '../components/Timeline';
import { Failures, LogTails, ParamsTable, ValuesTable } from '../components/RunSections';
import { duration, elapsed, time } from '../format';
import { useJson, useNow } from '../hooks';
import type { LiveEvents, RunSnapshot, TaskRow } from '../types';
import { runHref, taskHref } from '../links';

export function RunPage({ flow, runId }: { flow: string; runId: string }) {
  const loaded = useJson<RunSnapshot>(report ? null : `/api/runs/${encodeURIComponent(flow)}/${encodeURIComponent(runId)}`);
  const [snap, setSnap] = useState<RunSnapshot | undefined>(report?.snapshot);
  const [liveState, setLiveState] = useState<'open' | 'retrying' | 'closed'>('closed');
  useEffect(() => { if (loaded.data) setSnap(loaded.data); }, [loaded.data]);
  const offset = snap?.eventsOffset ?? null;
  const id = snap?.run.runId;
  useEffect(() => {
    if (offset === null || !id || report) return;
    return live(`/api/runs/${encodeURIComponent(flow)}/${encodeURIComponent(id)}/live?from=${offset}`, {
      events: (d: LiveEvents) => setSnap((s) => (s ? applyEvents(s, d.events) : s)),
      end: () => loaded.reload(),
    }, setLiveState);
    // Reconnect only for a new snapshot (its offset), not for every event applied.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [offset, id, flow]);
  const running = snap?.run.status === 'running';
  const now = useNow(1000, !!running);
  const [, navigate] = useLocation();
  const [picked, setPicked] = useState<string | null>(null);
  const leafSteps = useMemo(() => snap?.steps.filter((s) => !s.group) ?? [], [snap?.steps]);
  const selected = picked ?? leafSteps.find((s) => s.state === 'failed')?.step ?? leafSteps.find((s) => s.total > 1)?.step ?? leafSteps[0]?.step ?? null;

  if (!snap) {
    return (
      <Page crumbs={[[flow, `/flows/${encodeURIComponent(flow)}`], [runId, null]]}>
        {loaded.error ? <ErrorBox error={loaded.error} /> : <Loading what="the run" />}
      </Page>
    );
  }
  const r = snap.run;
  const onTask = (t: TaskRow) => { if (!report) navigate(taskHref(r.flow, r.runId, t.step, t.taskId)); };
  const total = leafSteps.reduce((n, s) => n + Math.max(s.total, snap.tasks[s.step]?.length ?? 0), 0);
  const done = Object.values(snap.tasks).reduce((n, rows) => n + rows.filter((t) => t.state !== 'running' && t.state !== 'pending').length, 0);
  return (
    <Page crumbs={[[r.flow, `/flows/${encodeURIComponent(r.flow)}`], [r.runId, null]]}
      actions={!report && <>
        <Link href={`/flows/${encodeURIComponent(r.flow)}`}>compare with…</Link>
        <a href={`/api/runs/${encodeURIComponent(r.flow)}/${encodeURIComponent(r.runId)}/report`} download>download report</a>
      </>}>
      <div className="run-summary" data-testid="run-summary">
        <div className="run-title">
          <StateBadge state={r.status} />
          <h1 className="mono">{r.flow}/{r.runId}</h1>
          {running && !report && <span className={`live-dot ${liveState}`} title={`live updates: ${liveState}`} data-testid="live-indicator">live</span>}
        </div>
        <dl className="facts">
          <div><dt>started</dt><dd>{time(r.startedAt)}</dd></div>
          <div><dt>duration</dt><dd data-testid="run-duration">{duration(r.durationMs ?? elapsed(r.startedAt, r.finishedAt, now))}</dd></div>
          <div><dt>tasks</dt><dd data-testid="run-progress">{done}/{total}</dd></div>
          <div><dt>user</dt><dd>{r.user}</dd></div>
          <div><dt>namespace</dt><dd>{r.namespace}</dd></div>
          {r.originRunId && <div><dt>resumed from</dt><dd>{report ? r.originRunId : <Link href={runHref(r.flow, r.originRunId)}>{r.originRunId}</Link>}{r.resumedFrom ? ` (--from ${r.resumedFrom})` : ''}</dd></div>}
          <div><dt>host</dt><dd>{r.host}</dd></div>
          <div><dt>flow file</dt><dd className="mono">{r.flowFile}</dd></div>
          <div><dt>tags</dt><dd><Tags run={r} onChange={(tags) => setSnap((s) => s && { ...s, run: { ...s.run, tags } })} /></dd></div>
        </dl>
        {r.error && <div className="error-box">{r.error}</div>}
      </div>
      {snap.failures.length > 0 && <Failures failures={snap.failures} flow={r.flow} runId={r.runId} tails={report?.tails} />}
      <Section title="DAG" id="dag-section" extra={<span className="muted">click a step for its tasks</span>}>
        <Dag steps={snap.steps} selected={selected} onSelect={setPicked} />
      </Section>
      {selected && (
        <Section title={`Tasks of ${selected}`} id="tasks-section">
          <TaskTable rows={snap.tasks[selected] ?? []} hrefOf={(t) => taskHref(r.flow, r.runId, t.step, t.taskId)} now={now} />
        </Section>
      )}
      <Section title="Timeline" id="timeline-section">
        <Timeline steps={snap.steps} tasks={snap.tasks} start={r.startedAt ?? snap.steps.find((s) => s.startedAt)?.startedAt ?? new Date(now).toISOString()} end={r.finishedAt} now={now} onTask={onTask} />
      </Section>
      <Section title="Params" id="params-section"><ParamsTable params={r.params} secret={r.secretParams} /></Section>
      <Section title="Values" id="values-section" extra={snap.valuesTruncated ? <span className="muted">(the first {snap.values.length})</span> : undefined}>
        <ValuesTable rows={snap.values} hrefOf={(step, taskId) => taskHref(r.flow, r.runId, step, taskId)} />
      </Section>
      {report && <LogTails tails={report.tails} />}
    </Page>
  );
}
