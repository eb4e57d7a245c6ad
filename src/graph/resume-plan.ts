/**
 * `resume --from STEP`: which steps re-run. Pure. STEP itself (all of it, if it is a group),
 * every step downstream of it in its scope, and, walking out of each enclosing group, every
 * step downstream of that group.
 */
import { FlowctlError } from '../errors.js';
import type { FlowSpec, StepSpec } from '../spec/types.js';
import { closest } from '../spec/suggest.js';

export function stepsToRerun(spec: FlowSpec, from: string): Set<string> {
  const chain = findChain(spec.steps, from.split('.'));
  if (!chain) {
    const all = allPaths(spec.steps, '');
    const hint = closest(from, all);
    throw new FlowctlError('NOT_FOUND', `--from ${from}: the flow has no step '${from}'`, {
      hint: hint ? `did you mean '${hint}'? Steps: ${all.join(', ')}` : `steps: ${all.join(', ')}`,
    });
  }
  const out = new Set<string>();
  // chain: [{siblings, step, prefix}] from the outermost scope to the step itself
  for (let level = chain.length - 1; level >= 0; level--) {
    const { siblings, step, prefix } = chain[level];
    for (const s of downstream(siblings, [step.name])) {
      const node = siblings.find((x) => x.name === s)!;
      // The enclosing group itself is not re-run whole, only its part from STEP on.
      if (level < chain.length - 1 && s === step.name) continue;
      for (const p of allPaths([node], prefix)) out.add(p);
    }
  }
  return out;
}

interface Level {
  siblings: StepSpec[];
  step: StepSpec;
  prefix: string;
}

function findChain(steps: StepSpec[], parts: string[], prefix = ''): Level[] | undefined {
  const step = steps.find((s) => s.name === parts[0]);
  if (!step) return undefined;
  const here: Level = { siblings: steps, step, prefix };
  if (parts.length === 1) return [here];
  if (step.kind !== 'group') return undefined;
  const rest = findChain(step.steps, parts.slice(1), prefix ? `${prefix}.${step.name}` : step.name);
  return rest ? [here, ...rest] : undefined;
}

/** Names of the given steps and every sibling that transitively needs one of them. */
function downstream(siblings: StepSpec[], start: string[]): Set<string> {
  const out = new Set(start);
  let grew = true;
  while (grew) {
    grew = false;
    for (const s of siblings) {
      if (!out.has(s.name) && s.needs.some((n) => out.has(n))) {
        out.add(s.name);
        grew = true;
      }
    }
  }
  return out;
}

function allPaths(steps: StepSpec[], prefix: string): string[] {
  return steps.flatMap((s) => {
    const p = prefix ? `${prefix}.${s.name}` : s.name;
    return s.kind === 'group' ? [p, ...allPaths(s.steps, p)] : [p];
  });
}
