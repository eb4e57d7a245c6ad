/**
 * Pictures of a flow's DAG: a text tree, a Mermaid flowchart, or a Graphviz digraph.
 * Groups are nested (subtrees, `subgraph`, `subgraph cluster_…`); fanned-out steps are
 * marked `[foreach]`/`[matrix]` in text and `⟳ foreach`/`⟳ matrix` (plus a stacked or
 * dashed shape) in the diagrams. With marks (`graph --run`), each step also shows what a run
 * did there: a column beside the tree, a second line and a state colour in the diagrams.
 * Pure: DAG in, string out.
 */
import type { FlowSpec } from '../spec/types.js';
import { topoOrder } from '../spec/dag.js';
import { dagOfSpec, type Dag, type DagStep, type StepMark } from './model.js';
import { renderDot, renderMermaid } from './render-diagrams.js';

export type GraphFormat = 'text' | 'mermaid' | 'dot';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['text', 'mermaid', 'dot'];

export interface RenderOptions {
  /** Per step path: what a run did there. */
  marks?: ReadonlyMap<string, StepMark>;
  /** Text only: paints a mark's label (colour on a terminal); widths are measured before. */
  paint?: (mark: StepMark) => string;
  /** Text only: the first line (default `flow NAME`). */
  title?: string;
}

/**
 * A flow file's DAG in `format`.
 * @example renderGraph(spec, 'mermaid') // => 'flowchart TD\n  n0["prepare"]\n…'
 */
export function renderGraph(spec: Pick<FlowSpec, 'name' | 'steps'>, format: GraphFormat): string {
  return renderDag(dagOfSpec(spec), format);
}

/** Any DAG (a flow file's or a run's) in `format`, with the run's marks when given. */
export function renderDag(dag: Dag, format: GraphFormat, o: RenderOptions = {}): string {
  switch (format) {
    case 'text': return renderText(dag, o);
    case 'mermaid': return renderMermaid(dag, o.marks);
    case 'dot': return renderDot(dag, o.marks);
  }
}

function renderText(dag: Dag, o: RenderOptions): string {
  const rows: Array<{ tree: string; mark?: StepMark }> = [];
  const visit = (steps: DagStep[], prefix: string) => {
    const ordered = topoOrder(steps);
    ordered.forEach((s, i) => {
      const last = i === ordered.length - 1;
      const marks = [s.fanout ? `[${s.fanout}]` : '', s.conditional ? '[if]' : '', s.needs.length ? `← ${s.needs.join(', ')}` : ''].filter(Boolean).join(' ');
      rows.push({ tree: `${prefix}${last ? '└─ ' : '├─ '}${s.name}${marks ? ` ${marks}` : ''}`, mark: o.marks?.get(s.path) });
      if (s.steps) visit(s.steps, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  visit(dag.steps, '');
  const width = Math.max(0, ...rows.filter((r) => r.mark).map((r) => [...r.tree].length));
  const lines = rows.map(({ tree, mark }) => {
    if (!mark) return tree;
    return `${tree}${' '.repeat(width - [...tree].length)}  ${o.paint ? o.paint(mark) : mark.label}`;
  });
  return `${[o.title ?? `flow ${dag.name}`, ...lines].join('\n')}\n`;
}
