/**
 * The DAG as a Mermaid flowchart or a Graphviz digraph. With marks, every step gets a second
 * line (its state and task counts) and a fill colour by state: a `classDef` per state in
 * Mermaid (groups, which `class` does not reach, get a `style`), `fillcolor` in DOT. Colours follow the live view (green succeeded, blue cached,
 * red failed, yellow caught or stopped, cyan running, grey pending/skipped/not run).
 */
import { sinks, sources, topoOrder } from '../spec/dag.js';
import { allSteps, type Dag, type DagStep, type StepMark } from './model.js';

type Marks = ReadonlyMap<string, StepMark> | undefined;

interface Palette {
  fill: string;
  stroke: string;
}

const GREY: Palette = { fill: '#f3f4f6', stroke: '#9ca3af' };
const PALETTE: Record<string, Palette> = {
  succeeded: { fill: '#dcfce7', stroke: '#16a34a' },
  cached: { fill: '#dbeafe', stroke: '#2563eb' },
  failed: { fill: '#fee2e2', stroke: '#dc2626' },
  dead: { fill: '#fee2e2', stroke: '#dc2626' },
  caught: { fill: '#fef9c3', stroke: '#ca8a04' },
  interrupted: { fill: '#fef9c3', stroke: '#ca8a04' },
  stopped: { fill: '#fef9c3', stroke: '#ca8a04' },
  running: { fill: '#cffafe', stroke: '#0891b2' },
};

function palette(state: string): Palette {
  return PALETTE[state] ?? GREY;
}

/** `not-run` → `state_not_run`: Mermaid class names are identifiers. */
function stateClass(state: string): string {
  return `state_${state.replace(/[^a-z0-9]+/gi, '_')}`;
}

function label(s: DagStep): string {
  return s.fanout ? `${s.name} ⟳ ${s.fanout}` : s.name;
}

/** Ids for diagram nodes: step paths may contain `-` and `.`, which diagram ids dislike. */
function idsOf(dag: Dag): Map<DagStep, string> {
  return new Map(allSteps(dag.steps).map((s, i) => [s, `n${i}`]));
}

function edgesOf(steps: DagStep[]): Array<[DagStep, DagStep]> {
  const byName = new Map(steps.map((s) => [s.name, s]));
  return topoOrder(steps).flatMap((s) =>
    s.needs.map((n) => byName.get(n)).filter((x): x is DagStep => x !== undefined).map((from): [DagStep, DagStep] => [from, s]));
}

/** Mermaid's entity for characters its quoted labels cannot hold. */
function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'));
}

export function renderMermaid(dag: Dag, marks: Marks): string {
  const ids = idsOf(dag);
  const out = ['flowchart TD', `  %% flow ${dag.name}`];
  const fanned: string[] = [];
  const byState = new Map<string, string[]>();
  const groupStyles: string[] = [];
  const text = (s: DagStep) => {
    const mark = marks?.get(s.path);
    return mark ? `${mermaidText(label(s))}<br/>${mermaidText(mark.label)}` : mermaidText(label(s));
  };
  const visit = (steps: DagStep[], indent: string) => {
    for (const s of topoOrder(steps)) {
      const id = ids.get(s)!;
      if (s.fanout) fanned.push(id);
      const mark = marks?.get(s.path);
      // `class` styles nodes only; a subgraph takes `style` (below).
      if (mark && !s.steps) byState.set(mark.state, [...(byState.get(mark.state) ?? []), id]);
      if (mark && s.steps) groupStyles.push(`  style ${id} fill:${palette(mark.state).fill},stroke:${palette(mark.state).stroke},color:#111827`);
      if (s.steps) {
        out.push(`${indent}subgraph ${id}["${text(s)}"]`);
        visit(s.steps, `${indent}  `);
        out.push(`${indent}end`);
      } else {
        // A stacked-looking double border for steps that run once per item.
        out.push(s.fanout ? `${indent}${id}[["${text(s)}"]]` : `${indent}${id}["${text(s)}"]`);
      }
    }
    for (const [from, to] of edgesOf(steps)) out.push(`${indent}${ids.get(from)} --> ${ids.get(to)}`);
  };
  visit(dag.steps, '  ');
  if (fanned.length) {
    out.push('  classDef fanout stroke-dasharray: 5 3');
    out.push(`  class ${fanned.join(',')} fanout`);
  }
  for (const [state, members] of byState) {
    const p = palette(state);
    out.push(`  classDef ${stateClass(state)} fill:${p.fill},stroke:${p.stroke},color:#111827`);
    out.push(`  class ${members.join(',')} ${stateClass(state)}`);
  }
  out.push(...groupStyles);
  return `${out.join('\n')}\n`;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A DOT label of several centred lines. */
function lines(...parts: string[]): string {
  return `"${parts.map((p) => quote(p).slice(1, -1)).join('\\n')}"`;
}

/** The task a DOT edge attaches to when it points into (`entry`) or out of (`exit`) a group. */
function anchor(s: DagStep, end: 'entry' | 'exit'): DagStep {
  if (!s.steps || s.steps.length === 0) return s;
  const ordered = topoOrder(end === 'entry' ? sources(s.steps) : sinks(s.steps));
  return anchor((end === 'entry' ? ordered[0] : ordered[ordered.length - 1]) ?? s.steps[0]!, end);
}

export function renderDot(dag: Dag, marks: Marks): string {
  const out = [`digraph ${quote(dag.name)} {`, '  rankdir=TB;', '  compound=true;', '  node [shape=box, style=rounded];'];
  const dotLabel = (s: DagStep) => {
    const mark = marks?.get(s.path);
    return mark ? lines(label(s), mark.label) : quote(label(s));
  };
  const visit = (steps: DagStep[], indent: string) => {
    for (const s of topoOrder(steps)) {
      const mark = marks?.get(s.path);
      const p = mark ? palette(mark.state) : undefined;
      if (s.steps) {
        out.push(`${indent}subgraph ${quote(`cluster_${s.path}`)} {`);
        out.push(`${indent}  label=${dotLabel(s)};`);
        const border = s.fanout ? 'dashed' : 'solid';
        out.push(`${indent}  style=${p ? quote(`${border},filled`) : border};`);
        if (p) out.push(`${indent}  fillcolor=${quote(p.fill)};`, `${indent}  color=${quote(p.stroke)};`);
        visit(s.steps, `${indent}  `);
        out.push(`${indent}}`);
      } else {
        // box3d looks like a stack: one task per item.
        const attrs = [`label=${dotLabel(s)}`];
        if (s.fanout) attrs.push('shape=box3d', `style=${quote(p ? 'filled' : '')}`);
        else if (p) attrs.push('style="rounded,filled"');
        if (p) attrs.push(`fillcolor=${quote(p.fill)}`, `color=${quote(p.stroke)}`);
        out.push(`${indent}${quote(s.path)} [${attrs.join(', ')}];`);
      }
    }
    for (const [from, to] of edgesOf(steps)) {
      const attrs = [
        from.steps ? `ltail=${quote(`cluster_${from.path}`)}` : '',
        to.steps ? `lhead=${quote(`cluster_${to.path}`)}` : '',
      ].filter(Boolean);
      out.push(`${indent}${quote(anchor(from, 'exit').path)} -> ${quote(anchor(to, 'entry').path)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
    }
  };
  visit(dag.steps, '  ');
  out.push('}');
  return `${out.join('\n')}\n`;
}
