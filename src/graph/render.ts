/**
 * Pictures of a flow's DAG: a text tree, a Mermaid flowchart, or a Graphviz digraph.
 * Groups are nested (subtrees, `subgraph`, `subgraph cluster_…`); fanned-out steps are
 * marked `[foreach]`/`[matrix]` in text and `⟳ foreach`/`⟳ matrix` (plus a stacked or
 * dashed shape) in the diagrams. Pure: spec in, string out.
 */
import type { FlowSpec, StepSpec } from '../spec/types.js';
import { sinks, sources, topoOrder } from '../spec/dag.js';

export type GraphFormat = 'text' | 'mermaid' | 'dot';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['text', 'mermaid', 'dot'];

type Flow = Pick<FlowSpec, 'name' | 'steps'>;

function fanout(s: StepSpec): string | undefined {
  return s.foreach ? (s.foreach.kind === 'matrix' ? 'matrix' : 'foreach') : undefined;
}

function label(s: StepSpec): string {
  const f = fanout(s);
  return f ? `${s.name} ⟳ ${f}` : s.name;
}

/**
 * The flow's DAG in `format`.
 * @example renderGraph(spec, 'mermaid') // => 'flowchart TD\n  n0["prepare"]\n…'
 */
export function renderGraph(spec: Flow, format: GraphFormat): string {
  switch (format) {
    case 'text': return renderText(spec);
    case 'mermaid': return renderMermaid(spec);
    case 'dot': return renderDot(spec);
  }
}

function renderText(spec: Flow): string {
  const lines = [`flow ${spec.name}`];
  const visit = (steps: StepSpec[], prefix: string) => {
    const ordered = topoOrder(steps);
    ordered.forEach((s, i) => {
      const last = i === ordered.length - 1;
      const f = fanout(s);
      const marks = [f ? `[${f}]` : '', s.if ? '[if]' : '', s.needs.length ? `← ${s.needs.join(', ')}` : ''].filter(Boolean).join(' ');
      lines.push(`${prefix}${last ? '└─ ' : '├─ '}${s.name}${marks ? ` ${marks}` : ''}`);
      if (s.kind === 'group') visit(s.steps, `${prefix}${last ? '   ' : '│  '}`);
    });
  };
  visit(spec.steps, '');
  return `${lines.join('\n')}\n`;
}

/** Ids for diagram nodes: step paths may contain `-` and `.`, which diagram ids dislike. */
function idsOf(spec: Flow): Map<StepSpec, string> {
  const ids = new Map<StepSpec, string>();
  const visit = (steps: StepSpec[]) => steps.forEach((s) => {
    ids.set(s, `n${ids.size}`);
    if (s.kind === 'group') visit(s.steps);
  });
  visit(spec.steps);
  return ids;
}

function edgesOf(steps: StepSpec[]): Array<[StepSpec, StepSpec]> {
  const byName = new Map(steps.map((s) => [s.name, s]));
  return topoOrder(steps).flatMap((s) =>
    s.needs.map((n) => byName.get(n)).filter((x): x is StepSpec => x !== undefined).map((from): [StepSpec, StepSpec] => [from, s]));
}

function renderMermaid(spec: Flow): string {
  const ids = idsOf(spec);
  const out = ['flowchart TD', `  %% flow ${spec.name}`];
  const fanned: string[] = [];
  const visit = (steps: StepSpec[], indent: string) => {
    for (const s of topoOrder(steps)) {
      const id = ids.get(s)!;
      if (fanout(s)) fanned.push(id);
      if (s.kind === 'group') {
        out.push(`${indent}subgraph ${id}["${label(s)}"]`);
        visit(s.steps, `${indent}  `);
        out.push(`${indent}end`);
      } else {
        // A stacked-looking double border for steps that run once per item.
        out.push(fanout(s) ? `${indent}${id}[["${label(s)}"]]` : `${indent}${id}["${label(s)}"]`);
      }
    }
    for (const [from, to] of edgesOf(steps)) out.push(`${indent}${ids.get(from)} --> ${ids.get(to)}`);
  };
  visit(spec.steps, '  ');
  if (fanned.length) {
    out.push('  classDef fanout stroke-dasharray: 5 3');
    out.push(`  class ${fanned.join(',')} fanout`);
  }
  return `${out.join('\n')}\n`;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The task a DOT edge attaches to when it points into (`entry`) or out of (`exit`) a group. */
function anchor(s: StepSpec, end: 'entry' | 'exit'): StepSpec {
  if (s.kind !== 'group') return s;
  const ordered = topoOrder(end === 'entry' ? sources(s.steps) : sinks(s.steps));
  return anchor((end === 'entry' ? ordered[0] : ordered[ordered.length - 1]) ?? s.steps[0]!, end);
}

function renderDot(spec: Flow): string {
  const out = [`digraph ${quote(spec.name)} {`, '  rankdir=TB;', '  compound=true;', '  node [shape=box, style=rounded];'];
  const visit = (steps: StepSpec[], indent: string) => {
    for (const s of topoOrder(steps)) {
      if (s.kind === 'group') {
        out.push(`${indent}subgraph ${quote(`cluster_${s.path}`)} {`);
        out.push(`${indent}  label=${quote(label(s))};`);
        out.push(`${indent}  style=${fanout(s) ? 'dashed' : 'solid'};`);
        visit(s.steps, `${indent}  `);
        out.push(`${indent}}`);
      } else {
        // box3d looks like a stack: one task per item.
        out.push(`${indent}${quote(s.path)} [label=${quote(label(s))}${fanout(s) ? ', shape=box3d, style=""' : ''}];`);
      }
    }
    for (const [from, to] of edgesOf(steps)) {
      const attrs = [
        from.kind === 'group' ? `ltail=${quote(`cluster_${from.path}`)}` : '',
        to.kind === 'group' ? `lhead=${quote(`cluster_${to.path}`)}` : '',
      ].filter(Boolean);
      out.push(`${indent}${quote(anchor(from, 'exit').path)} -> ${quote(anchor(to, 'entry').path)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
    }
  };
  visit(spec.steps, '  ');
  out.push('}');
  return `${out.join('\n')}\n`;
}
