/**
 * The run's DAG, laid out by dagre (layered, left to right), drawn as SVG: one box per step with
 * its state and fan-out progress, groups as boxes around their steps. A 10,000-task fan-out is
 * still one box: tasks are aggregated by step.
 */
import dagre from '@dagrejs/dagre';
import { useMemo } from 'react';
import { leafEdges } from '../../../src/web/shared/dag-edges';
import type { StepView } from '../types';
import { stateColor } from './State';

const W = 190;
const H = 58;

interface Laid {
  width: number;
  height: number;
  nodes: Array<{ step: StepView; x: number; y: number; w: number; h: number }>;
  edges: Array<{ from: string; to: string; points: Array<{ x: number; y: number }> }>;
}

function layout(steps: StepView[]): Laid {
  const g = new dagre.graphlib.Graph({ compound: true, multigraph: false });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 56, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const s of steps) g.setNode(s.step, s.group ? { label: s.step, paddingTop: 28, paddingLeft: 12, paddingRight: 12, paddingBottom: 12 } : { width: W, height: H });
  for (const s of steps) if (s.parent) g.setParent(s.step, s.parent);
  const edges = leafEdges(steps);
  for (const [a, b] of edges) g.setEdge(a, b);
  dagre.layout(g);
  const graph = g.graph() as { width?: number; height?: number };
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    nodes: steps.map((s) => {
      const n = g.node(s.step) as { x: number; y: number; width: number; height: number };
      return { step: s, x: n.x, y: n.y, w: n.width, h: n.height };
    }),
    edges: edges.map(([from, to]) => ({ from, to, points: (g.edge(from, to) as { points: Array<{ x: number; y: number }> }).points })),
  };
}

/** Which steps' states drive the layout: the shape only changes when the plan does. */
function shapeKey(steps: StepView[]): string {
  return steps.map((s) => `${s.step}|${s.parent}|${s.needs.join(',')}`).join(';');
}

export function Dag({ steps, selected, onSelect }: { steps: StepView[]; selected?: string | null; onSelect?: (step: string) => void }) {
  const key = shapeKey(steps);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const laid = useMemo(() => layout(steps), [key]);
  const byName = new Map(steps.map((s) => [s.step, s]));
  if (steps.length === 0) return <p className="muted">This run recorded no plan.</p>;
  return (
    <div className="dag-wrap">
      <svg className="dag" data-testid="dag" width={laid.width} height={laid.height} viewBox={`0 0 ${laid.width} ${laid.height}`} role="img" aria-label="DAG of the run's steps">
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#8b95a1" />
          </marker>
        </defs>
        {laid.nodes.filter((n) => n.step.group).map(({ step, x, y, w, h }) => {
          const s = byName.get(step.step) ?? step;
          return (
            <g key={s.step} className="dag-group" data-step={s.step} data-state={s.state}>
              <rect x={x - w / 2} y={y - h / 2} width={w} height={h} rx={10} fill="#f5f7fa" stroke={stateColor(s.state)} strokeDasharray="5 4" />
              <text x={x - w / 2 + 10} y={y - h / 2 + 18} className="dag-group-label">{s.step}{s.foreach ? ' (foreach)' : ''}</text>
            </g>
          );
        })}
        {laid.edges.map((e) => (
          <path key={`${e.from}>${e.to}`} className="dag-edge" d={e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x},${p.y}`).join(' ')} fill="none" stroke="#8b95a1" strokeWidth={1.5} markerEnd="url(#arrow)" />
        ))}
        {laid.nodes.filter((n) => !n.step.group).map(({ step, x, y }) => {
          const s = byName.get(step.step) ?? step;
          const done = (s.counts.succeeded ?? 0) + (s.counts.cached ?? 0) + (s.counts.failed ?? 0) + (s.counts.skipped ?? 0);
          const total = Math.max(s.total, done);
          const color = stateColor(s.state);
          const name = s.parent ? s.step.slice(s.parent.length + 1) : s.step;
          return (
            <g key={s.step} className={`dag-node${selected === s.step ? ' selected' : ''}`} data-testid="dag-node" data-step={s.step} data-state={s.state}
              transform={`translate(${x - W / 2},${y - H / 2})`} onClick={() => onSelect?.(s.step)} style={{ cursor: onSelect ? 'pointer' : 'default' }}>
              <title>{`${s.step}: ${s.state}${total > 1 ? ` (${done}/${total} tasks)` : ''}`}</title>
              <rect width={W} height={H} rx={8} fill="#fff" stroke={color} strokeWidth={selected === s.step ? 3 : 2} />
              <rect width={6} height={H} rx={3} fill={color} />
              <text x={14} y={22} className="dag-name">{name.length > 22 ? `${name.slice(0, 21)}…` : name}</text>
              <text x={14} y={42} className="dag-state" fill={color}>{s.state}{s.state === 'running' && s.counts.running ? ` · ${s.counts.running} running` : ''}</text>
              {total > 1 && (
                <g transform={`translate(${W - 64},34)`}>
                  <rect width={54} height={6} rx={3} fill="#e4e8ec" />
                  <rect width={(54 * done) / total} height={6} rx={3} fill={(s.counts.failed ?? 0) > 0 ? stateColor('failed') : stateColor('succeeded')} />
                  <text x={54} y={-4} textAnchor="end" className="dag-count">{done}/{total}</text>
                </g>
              )}
            </g>
          );
        })}
      </svg>
    </div>
  );
}
