/** `flowctl diff` as text: the two runs, then one table per kind of difference, A and B side by side. */
import type { RunJson } from '../client/types.js';
import { formatCounts } from '../term/format.js';
import { cell, paint, renderTable, stateColor } from '../term/table.js';
import { bytes, duration, runDuration, runState, shortHash, value } from './format.js';
import type { Change, DiffJson, FileSide, StepSide } from './diff.js';

export function renderDiff(d: DiffJson, o: { color: boolean }): string {
  const table = (header: string[], rows: string[][], styled: Record<number, 'state' | 'change'> = {}, align?: Array<'left' | 'right'>) =>
    renderTable(header, rows, {
      color: o.color, align,
      style: (text, _row, col) => (styled[col] === 'state' ? stateColor(text)(text) : styled[col] === 'change' ? changeColor(text)(text) : text),
    });
  const parts = [table(['', 'RUN', 'STATE', 'DURATION', 'CODE', 'FLOW FILE'], [side('A', d.a), side('B', d.b)], { 2: 'state' })];
  if (d.params.length) {
    parts.push(table(['PARAM', 'A', 'B', 'CHANGE'], d.params.map((p) => [p.name, shown(p.a, p.change, 'a'), shown(p.b, p.change, 'b'), p.change].map(cell)), { 3: 'change' }));
  }
  parts.push(table(['STEP', 'A', 'B', 'DURATION Δ'], d.steps.map((s) =>
    [s.step, stepCell(s.a), stepCell(s.b), s.durationDeltaMs === null ? '-' : signed(s.durationDeltaMs, duration)]), {}, ['left', 'left', 'left', 'right']));
  if (d.tasks.length) {
    parts.push(table(['TASK', 'A', 'B', 'CHANGE'], d.tasks.map((t) => [
      `${t.step}/${t.taskId}`, t.a ? taskCell(t.a) : '-', t.b ? taskCell(t.b) : '-', t.change,
    ].map(cell)), { 3: 'change' }));
  }
  if (d.values.length) {
    parts.push(table(['VALUE', 'A', 'B', 'CHANGE'], d.values.map((v) => [
      `${v.step}/${v.taskId} ${v.name}`, shown(v.a, v.change, 'a'), shown(v.b, v.change, 'b'),
      v.delta !== null && v.change === 'changed' ? signed(v.delta, String) : v.change,
    ].map(cell)), { 3: 'change' }));
  }
  if (d.outputs.length) {
    const rows = d.outputs.flatMap((x) => {
      const name = `${x.step}/${x.taskId}/${x.path}${x.a?.type === 'dir' || x.b?.type === 'dir' ? '/' : ''}`;
      return [
        [name, fileCell(x.a), fileCell(x.b), x.change],
        ...(x.files ?? []).map((f) => [`  ${f.path}`, fileCell(f.a), fileCell(f.b), f.change]),
      ];
    });
    parts.push(table(['OUTPUT', 'A (size sha256)', 'B (size sha256)', 'CHANGE'], rows, { 3: 'change' }));
  }
  if (!d.differ) parts.push('no differences in params, values, outputs or task states');
  return parts.join('\n\n');
}

function side(label: string, r: RunJson): string[] {
  return [label, r.pathspec, runState(r), runDuration(r), shortHash(r.codeHash), shortHash(r.specHash)];
}

/** A value, or `-` on the side where it does not exist. */
function shown(v: unknown, change: Change, which: 'a' | 'b'): string {
  if ((change === 'added' && which === 'a') || (change === 'removed' && which === 'b')) return '-';
  return value(v);
}

function stepCell(s: StepSide | null): string {
  if (!s) return '-';
  const kinds = Object.values(s.counts).filter(Boolean).length;
  const tasks = s.tasks ? `${s.tasks} task${s.tasks === 1 ? '' : 's'}${kinds > 1 ? ` (${formatCounts(s.counts)})` : ''}` : '';
  return [s.state.replace('-', ' '), tasks, s.durationMs === null ? '' : duration(s.durationMs)].filter(Boolean).join(' · ');
}

function taskCell(t: { state: string; item: unknown; durationMs: number | null }): string {
  return [t.state, t.item === null ? '' : `item ${value(t.item)}`, duration(t.durationMs)].filter((x) => x && x !== '-').join(' · ');
}

function fileCell(f: Omit<FileSide, 'type'> | null): string {
  return f ? `${bytes(f.size).padStart(9)}  ${shortHash(f.sha256)}` : '-';
}

function signed(n: number, fmt: (n: number) => string): string {
  return n > 0 ? `+${fmt(n)}` : n < 0 ? `-${fmt(-n)}` : fmt(0);
}

function changeColor(change: string): (s: string) => string {
  // Deltas stay uncoloured: whether more is better depends on the value.
  if (change === 'added') return paint.green;
  if (change === 'removed') return paint.red;
  if (change === 'changed') return paint.yellow;
  return (s) => s;
}
