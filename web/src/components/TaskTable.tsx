/** The tasks of a step as a virtualised table: thousands of rows scroll without being drawn. */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useMemo, useRef, useState } from 'react';
import { Link } from 'wouter';
import { report } from '../api';
import { duration, time } from '../format';
import type { TaskRow } from '../types';
import { StateBadge } from './State';

const ROW_H = 30;

export function TaskTable({ rows, hrefOf, now }: { rows: TaskRow[]; hrefOf: (t: TaskRow) => string; now: number }) {
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    const list = f ? rows.filter((r) => r.state.includes(f) || r.taskId.includes(f) || (r.item ?? '').toLowerCase().includes(f) || (r.reason ?? '').toLowerCase().includes(f)) : rows;
    // Failures first, then the rest in task order.
    return [...list].sort((a, b) => Number(b.state === 'failed') - Number(a.state === 'failed'));
  }, [rows, filter]);
  const scroller = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: shown.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_H, overscan: 10 });
  return (
    <div className="task-table" data-testid="task-table">
      {rows.length > 10 && <input className="filter" placeholder="filter tasks: id, item, state, reason" value={filter} onChange={(e) => setFilter(e.target.value)} />}
      <div className="vt-head vt-row tasks-cols">
        <span>task</span><span>item</span><span>state</span><span>attempts</span><span>started</span><span>duration</span><span>reason / cached from</span>
      </div>
      <div className="vt-body" ref={scroller} style={{ maxHeight: 420 }}>
        <div style={{ height: virt.getTotalSize(), position: 'relative' }}>
          {virt.getVirtualItems().map((v) => {
            const t = shown[v.index];
            const label = `${t.step}/${t.taskId}`;
            return (
              <div key={label} className="vt-row tasks-cols" data-testid="task-row" style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_H, transform: `translateY(${v.start}px)` }}>
                <span>{report ? t.taskId : <Link href={hrefOf(t)}>{t.taskId}</Link>}</span>
                <span className="mono ellipsis" title={t.item ?? ''}>{t.item ?? ''}</span>
                <span><StateBadge state={t.state} /></span>
                <span>{t.attempts}</span>
                <span>{time(t.startedAt)}</span>
                <span>{duration(t.durationMs ?? (t.state === 'running' && t.startedAt ? now - Date.parse(t.startedAt) : null))}</span>
                <span className="ellipsis" title={t.reason ?? t.cachedFrom ?? ''}>{t.reason ?? (t.cachedFrom ? `↺ ${t.cachedFrom}` : '')}</span>
              </div>
            );
          })}
        </div>
      </div>
      <div className="muted small">{shown.length} of {rows.length} tasks</div>
    </div>
  );
}
