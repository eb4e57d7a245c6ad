/**
 * The edges a run's DAG is drawn with, between steps that have tasks: a need on a group is drawn
 * from the group's last steps, and a group's own needs into its first steps (groups are boxes).
 */
import type { StepView } from './types.js';

type Node = Pick<StepView, 'step' | 'parent' | 'group' | 'needs'>;

/** [from, to] pairs of leaf steps, without duplicates, in flow order. */
export function leafEdges(steps: readonly Node[]): Array<[string, string]> {
  const byName = new Map(steps.map((s) => [s.step, s]));
  const kids = new Map<string | null, Node[]>();
  for (const s of steps) kids.set(s.parent, [...(kids.get(s.parent) ?? []), s]);
  const siblingsNeed = (s: Node) => (kids.get(s.parent) ?? []).some((k) => k.needs.includes(s.step));
  const inside = (s: Node) => s.needs.some((n) => byName.get(n)?.parent === s.parent);
  const entries = (g: Node): string[] => (kids.get(g.step) ?? []).filter((k) => !inside(k)).flatMap((k) => (k.group ? entries(k) : [k.step]));
  const exits = (g: Node): string[] => (kids.get(g.step) ?? []).filter((k) => !siblingsNeed(k)).flatMap((k) => (k.group ? exits(k) : [k.step]));
  const seen = new Set<string>();
  const out: Array<[string, string]> = [];
  for (const s of steps) {
    const targets = s.group ? entries(s) : [s.step];
    for (const n of s.needs) {
      const need = byName.get(n);
      const sources = need ? (need.group ? exits(need) : [need.step]) : [];
      for (const from of sources) {
        for (const to of targets) {
          const key = `${from}\0${to}`;
          if (!seen.has(key)) {
            seen.add(key);
            out.push([from, to]);
          }
        }
      }
    }
  }
  return out;
}
