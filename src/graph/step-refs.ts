/**
 * What a step needs to know before its tasks can be planned: the steps whose values or state
 * its `if:`, `foreach:`/`matrix:`, `run:` and `env:` read, and the steps it waits for. Pure.
 */
import { collectRefs, type Expr } from '../spec/expr/index.js';
import type { StepSpec, TemplateSpec, ValueSpec } from '../spec/types.js';
import type { StepNode } from './graph-state.js';

/** Names (as written, relative to the step's scope) of the steps the step's expressions read. */
export function stepsRead(spec: StepSpec): string[] {
  const exprs: Expr[] = [];
  const value = (v: ValueSpec) => v.kind === 'expr' && exprs.push(v.expr);
  const template = (t: TemplateSpec) => t.template.parts.forEach((p) => typeof p !== 'string' && exprs.push(p.expr));
  if (spec.foreach?.kind === 'list') value(spec.foreach.items);
  if (spec.foreach?.kind === 'matrix') spec.foreach.axes.forEach((a) => value(a.values));
  if (spec.if) exprs.push(spec.if.expr);
  if (spec.kind === 'task') {
    template(spec.run);
    Object.values(spec.env).forEach(template);
  }
  const names = exprs.flatMap((e) => collectRefs(e)).filter((r) => r.root === 'steps' && typeof r.segments[0] === 'string').map((r) => r.segments[0] as string);
  return [...new Set(names)];
}

/** The node an expression in `node`'s scope means by `steps.<name>`. */
export function visibleNode(node: StepNode, name: string): StepNode | undefined {
  return node.scope.nodes.get(name) ?? node.scope.inherited.get(name);
}

/** The steps a node waits for: its needs, and those of every enclosing group (whose inputs it inherits). */
export function upstreamNodes(node: StepNode): StepNode[] {
  const out: StepNode[] = [];
  for (let n: StepNode | undefined = node; n; n = n.scope.owner) {
    for (const need of n.spec.needs) {
      const u = n.scope.nodes.get(need);
      if (u) out.push(u);
    }
  }
  return out;
}
