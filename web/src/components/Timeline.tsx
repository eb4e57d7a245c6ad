/**
 * A Gantt chart of the run, like Nextflow's timeline: one bar per step (first task start → last
 * task end), and, for an expanded step, one bar per task. Rows are virtualised, so a 10,000-task
 * step scrolls without drawing 10,000 rows.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { duration } from '../format';
import type { StepView, TaskRow } from '../types';
import { stateColor } from './State';

type Row = { kind: 'step'; step: StepView } | { kind: 'task'; task: TaskRow };

const ROW_H = 24;
/** Steps start expanded when the whole run has at most this many tasks. */
const EXPAND_ALL_UNDER = 60;

export function Timeline({ steps, tasks, start, end, now, onTask }: {
  steps: StepView[]; tasks: Record<string, TaskRow[]>; start: string; end: string | null; now: number; onTask?: (t: TaskRow) => void;
}) {
  const leaves = steps.filter((s) => !s.group);
  const totalTasks = leaves.reduce((n, s) => n + (tasks[s.step]?.length ?? 0), 0);
  const [open, setOpen] = useState<Set<string>>(() => new Set(totalTasks <= EXPAND_ALL_UNDER ? leaves.map((s) => s.step) : []));
  const t0 = Date.parse(start);
  const t1 = Math.max(end ? Date.parse(end) : now, t0 + 1000);
  const span = t1 - t0;
  const rows = useMemo<Row[]>(() => steps.filter((s) => !s.group).flatMap((s) => [
    { kind: 'step' as const, step: s },
    ...(open.has(s.step) ? (tasks[s.step] ?? []).map((t) => ({ kind: 'task' as const, task: t })) : []),
  ]), [steps, tasks, open]);
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 12 });
  const pos = (from: string | null, to: string | null) => {
    if (!from) return null;
    const a = Date.parse(from) - t0;
    const b = (to ? Date.parse(to) : now) - t0;
    return { left: `${Math.max(0, (100 * a) / span)}%`, width: `${Math.max(0.3, (100 * Math.max(0, b - a)) / span)}%` };
  };
  const ticks = Array.from({ length: 6 }, (_, i) => (span * i) / 5);
  const toggle = (step: string) => setOpen((o) => {
    const n = new Set(o);
    if (n.has(step)) n.delete(step);
    else n.add(step);
    return n;
  });
  return (
    <div className="timeline" data-testid="timeline">
      <div className="tl-axis">
        <div className="tl-label" />
        <div className="tl-track">{ticks.map((t, i) => <span key={i} className="tl-tick" style={{ left: `${(100 * t) / span}%` }}>{duration(t)}</span>)}</div>
      </div>
      <div className="tl-rows" ref={scroller} style={{ maxHeight: 480 }}>
        <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {virt.getVirtualItems().map((v) => {
            const r = rows[v.index];
            const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${v.start}px)` };
            if (r.kind === 'step') {
              const s = r.step;
              const n = tasks[s.step]?.length ?? 0;
              const p = pos(s.startedAt, s.finishedAt);
              return (
                <div key={`s:${s.step}`} className="tl-row tl-step" style={style} data-testid="timeline-step" data-step={s.step}>
                  <div className="tl-label" onClick={() => n > 0 && toggle(s.step)} title={n > 0 ? 'show or hide its tasks' : undefined}>
                    {n > 0 && <span className="caret">{open.has(s.step) ? '▾' : '▸'}</span>}
                    {s.step} <span className="muted">{n > 1 ? `${n} tasks` : ''}</span>
                  </div>
                  <div className="tl-track">
                    {p && <span className="tl-bar" style={{ ...p, background: stateColor(s.state) }} title={`${s.step}: ${s.state}, ${duration(s.durationMs ?? (s.startedAt ? now - Date.parse(s.startedAt) : null))}`} />}
                  </div>
                </div>
              );
            }
            const t = r.task;
            const p = pos(t.startedAt, t.finishedAt ?? (t.state === 'running' ? null : t.startedAt));
            return (
              <div key={`t:${t.step}/${t.taskId}`} className="tl-row tl-task" style={style} data-testid="timeline-task">
                <div className="tl-label" onClick={() => onTask?.(t)}>
                  <span className="indent" />{t.taskId}{t.item !== null && <span className="muted"> {t.item}</span>}
                </div>
                <div className="tl-track">
                  {p && <span className="tl-bar thin" style={{ ...p, background: stateColor(t.state) }} title={`${t.step}/${t.taskId}: ${t.state}, ${duration(t.durationMs)}`} />}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
