/** `flowctl show` as text: aligned tables and field blocks, one renderer per kind of view. */
import type { ArtifactJson, RunJson } from '../client/types.js';
import { formatCounts } from '../term/format.js';
import { stateLabel } from '../term/state-look.js';
import { cell, paint, renderFields, renderTable, stateColor, type TableOptions } from '../term/table.js';
import { bytes, duration, localTime, runDuration, runState, shortHash, value } from './format.js';
import type { ShowView } from './show.js';

export interface TextOptions {
  color: boolean;
  now?: number;
  /** `show RUN` on a terminal: the run's DAG with step states, drawn above the step table. */
  graph?: string;
}

export function renderView(view: ShowView, o: TextOptions): string {
  switch (view.kind) {
    case 'flows':
      return table(['FLOW', 'LATEST RUN', 'STATE', 'STARTED', 'DURATION', 'USER'], view.flows.map(({ flow, latestRun: r }) =>
        [flow, r.runId, stateLabel(runState(r), o.color), localTime(r.startedAt), runDuration(r, o.now), cell(r.user)]), o, { state: 2 }) + damageNotes(view.flows.map((f) => f.latestRun));
    case 'runs':
      return runsTable(view.runs, view.namespace === null, o) + damageNotes(view.runs);
    case 'run':
      return [
        runFields(view.run, o),
        ...(o.graph ? [o.graph.trimEnd()] : []),
        table(['STEP', 'STATE', 'TASKS', 'COUNTS', 'STARTED', 'DURATION'], view.steps.map((s) =>
          [s.step, stateLabel(s.state.replace('-', ' '), o.color), String(s.tasks), s.tasks ? formatCounts(s.counts) : '-', localTime(s.startedAt), duration(s.durationMs)]),
        o, { state: 1, align: ['left', 'left', 'right'] }),
      ].join('\n\n');
    case 'step': {
      // Tasks that ran as AWS Batch jobs get a column with their job ids (before REASON, which is the widest).
      const jobs = view.tasks.some((t) => t.jobId);
      return table(['TASK', 'ITEM', 'STATE', 'ATTEMPTS', 'STARTED', 'DURATION', 'CACHED FROM', ...(jobs ? ['BATCH JOB'] : []), 'REASON'], view.tasks.map((t) => [
        t.taskId, t.itemIndices.length ? value(t.item) : '-', stateLabel(t.caught ? `${t.state} (caught)` : t.state, o.color), String(t.attempts),
        localTime(t.startedAt), duration(t.durationMs), t.cachedFrom ? `${t.cachedFrom.runId}/${t.cachedFrom.step}/${t.cachedFrom.taskId}` : '-',
        ...(jobs ? [t.jobId ?? '-'] : []), cell(t.error ?? t.reason),
      ].map(cell)), o, { state: 2, align: ['left', 'left', 'left', 'right'] });
    }
    case 'task': {
      const t = view.task;
      const fields: Array<[string, string]> = [
        ['task', t.pathspec], ['state', paintState(t.caught ? `${t.state} (caught)` : t.state, o)], ['item', t.itemIndices.length ? cell(value(t.item)) : '-'],
        ['attempts', String(t.attempts)], ['started', localTime(t.startedAt)], ['finished', localTime(t.finishedAt)], ['duration', duration(t.durationMs)],
        ['command', cell(t.command)],
      ];
      const ran = view.attempts.findLast((a) => a.image !== null);
      if (ran?.image) fields.push(['image', ran.imageDigest ? `${ran.image} (${ran.imageDigest})` : ran.image]);
      fields.push(['cache', cell(view.cache.summary)]);
      if (t.reason) fields.push(['reason', cell(t.reason)]);
      if (t.jobId) fields.push(['batch job', t.jobId]);
      const parts = [renderFields(fields, { color: o.color })];
      if (view.attempts.length) {
        const jobs = view.attempts.some((a) => a.job);
        parts.push(table(['ATTEMPT', 'STATE', 'EXIT', 'STARTED', 'DURATION', ...(jobs ? ['BATCH JOB'] : []), 'REASON'], view.attempts.map((a) =>
          [String(a.attempt), stateLabel(a.state, o.color), a.exitCode === null ? (a.signal ?? '-') : String(a.exitCode), localTime(a.startedAt), duration(a.durationMs),
            ...(jobs ? [a.job?.id ?? '-'] : []), cell(a.error ?? a.reason)]),
        o, { state: 1, align: ['right', 'left', 'right'] }));
      }
      parts.push(t.outputs.length
        ? table(['OUTPUT', 'TYPE', 'SIZE', 'SHA256'], t.outputs.map((x) => [x.type === 'dir' ? `${x.path}/` : x.path, x.type, bytes(x.size), shortHash(x.sha256)]), o, { align: ['left', 'left', 'right'] })
        : 'outputs: none');
      const values = Object.entries(t.values);
      parts.push(values.length ? table(['NAME', 'VALUE'], values.map(([k, v]) => [k, cell(value(v))]), o) : 'values: none');
      return parts.join('\n\n');
    }
    case 'artifact':
      return dirListing(view.artifact, o);
  }
}

export function runsTable(runs: RunJson[], withNamespace: boolean, o: TextOptions): string {
  const header = ['RUN', 'STATE', 'STARTED', 'DURATION', 'USER', ...(withNamespace ? ['NAMESPACE'] : []), 'TAGS', 'ORIGIN'];
  return table(header, runs.map((r) => [
    r.runId, stateLabel(runState(r), o.color), localTime(r.startedAt), runDuration(r, o.now), r.user, ...(withNamespace ? [r.namespace] : []),
    r.tags.length ? r.tags.join(',') : '-', r.originRunId ?? '-',
  ].map(cell)), o, { state: 1 });
}

/** Under a listing: one line per damaged run, naming the record that cannot be read and why. */
function damageNotes(runs: RunJson[]): string {
  const damaged = runs.filter((r) => r.state === 'damaged');
  return damaged.length ? `\n\n${damaged.map((r) => `damaged: ${r.runId}: ${cell(r.error)}`).join('\n')}` : '';
}

function runFields(r: RunJson, o: TextOptions): string {
  const fields: Array<[string, string]> = [
    ['run', r.pathspec],
    ['state', paintState(runState(r), o) + (r.stale ? ` (no heartbeat since ${localTime(r.heartbeatAt)})` : '')],
    ['user', cell(r.user)], ['namespace', cell(r.namespace)], ['tags', r.tags.length ? r.tags.join(', ') : '-'],
    ['started', localTime(r.startedAt)], ['finished', localTime(r.finishedAt)], ['duration', runDuration(r, o.now)],
    ['tasks', Object.keys(r.taskCounts).length ? formatCounts(r.taskCounts) : '-'],
    ['origin', r.originRunId ? `${r.originRunId}${r.resumedFrom ? ` (resumed from step ${r.resumedFrom})` : ''}` : '-'], ['flow file', cell(r.flowFile)], ['code', cell(r.codeHash)], ['host', `${r.host} (pid ${r.pid})`],
  ];
  if (r.error) fields.push(['error', cell(r.error)]);
  const params = Object.entries(r.params);
  if (params.length === 0) fields.push(['params', '-']);
  const paramBlock = params.length ? `\n${o.color ? paint.bold('params') : 'params'}\n${renderFields(params.map(([k, v]) => [k, cell(value(v))]), { indent: '  ' })}` : '';
  return `${renderFields(fields, { color: o.color })}${paramBlock}`;
}

function dirListing(a: ArtifactJson, o: TextOptions): string {
  const files = a.files ?? [];
  if (files.length === 0) return `${a.path}/ is empty`;
  return table(['PATH', 'SIZE', 'SHA256'], files.map((f) => [f.path, bytes(f.size), shortHash(f.sha256)]), o, { align: ['left', 'right'] });
}

function table(header: string[], rows: string[][], o: TextOptions, extra: { state?: number; align?: TableOptions['align'] } = {}): string {
  return renderTable(header, rows, {
    color: o.color, align: extra.align,
    style: (text, _row, col) => (col === extra.state ? stateColor(text)(text) : text),
  });
}

function paintState(state: string, o: TextOptions): string {
  return o.color ? stateColor(state)(stateLabel(state, true)) : state;
}
