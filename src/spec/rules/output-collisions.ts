/**
 * Two upstream steps must not put files at the same path in a downstream task directory.
 * A single-task upstream's outputs land at their own paths; a fanned-out upstream's under
 * `<step>/<index>/`; a group exports what its sink steps output (or `<group>/<index>/`
 * when the group fans out).
 */
import type { Problem } from '../../errors.js';
import { sinks } from '../dag.js';
import type { StepSpec } from '../types.js';
import { scopes } from '../walk.js';
import type { RuleContext } from './context.js';

interface Claim {
  /** `file`: an output path; `dir`: a fanned-out step's `<name>/` prefix. */
  kind: 'file' | 'dir';
  path: string;
  /** Qualified name of the step that produces it. */
  from: string;
}

function claims(step: StepSpec): Claim[] {
  if (step.foreach) return [{ kind: 'dir', path: step.name, from: step.path }];
  if (step.kind === 'task') return step.outputs.filter((p) => p !== '' && p !== '.').map((path) => ({ kind: 'file', path, from: step.path }));
  return sinks(step.steps).flatMap(claims);
}

function overlap(a: Claim, b: Claim): boolean {
  const first = (p: string) => p.split('/')[0];
  if (a.kind === 'dir' && b.kind === 'dir') return a.path === b.path;
  if (a.kind === 'dir') return first(b.path) === a.path;
  if (b.kind === 'dir') return first(a.path) === b.path;
  return a.path === b.path || a.path.startsWith(`${b.path}/`) || b.path.startsWith(`${a.path}/`);
}

function describe(c: Claim): string {
  return c.kind === 'dir' ? `'${c.from}' (fanned out, staged under ${c.path}/<index>/)` : `'${c.from}' (output '${c.path}')`;
}

export function outputCollisions(ctx: RuleContext): Problem[] {
  const problems: Problem[] = [];
  for (const { steps, ancestors } of scopes(ctx.spec)) {
    // Inner steps of a group also see what the group (and its enclosing groups) need.
    const inherited = ancestors.flatMap((a) => a.group.needs.map((n) => a.siblings.find((s) => s.name === n)));
    const byName = new Map(steps.map((s) => [s.name, s]));
    for (const step of steps) {
      const own = step.needs.map((n) => byName.get(n)).filter((s): s is StepSpec => s !== undefined);
      const fromGroups = inherited.filter((s): s is StepSpec => s !== undefined && !own.includes(s));
      const all = [...new Set(own)].flatMap(claims);
      const ownCount = all.length;
      all.push(...[...new Set(fromGroups)].flatMap(claims));
      const reported = new Set<string>();
      for (let i = 0; i < all.length; i++) {
        for (let j = i + 1; j < all.length; j++) {
          const [a, b] = [all[i]!, all[j]!];
          // Collisions among what a group needs are reported once, at the group.
          if (i >= ownCount || a.from === b.from || !overlap(a, b)) continue;
          const key = `${a.from}\0${b.from}`;
          if (reported.has(key)) continue;
          reported.add(key);
          problems.push({
            loc: step.loc,
            message: `step '${step.path}' would receive colliding outputs: ${describe(a)} and ${describe(b)} land at the same path in its task directory`,
            rule: 'output-collision',
            hint: 'rename one of the outputs or put it in a subdirectory',
          });
        }
      }
    }
  }
  return problems;
}
