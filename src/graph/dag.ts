/**
 * Pure DAG utilities over one scope: a list of sibling steps whose `needs` name each
 * other (the top level, or the inner steps of one group). Needs that name no sibling
 * are ignored here; the spec rules report them.
 */
import type { StepSpec } from '../spec/types.js';

type Node = Pick<StepSpec, 'name' | 'needs'>;

function index<T extends Node>(steps: readonly T[]): Map<string, T> {
  return new Map(steps.map((s) => [s.name, s]));
}

/**
 * Steps in an order where every step comes after what it needs; among steps that are
 * ready at the same time, file order wins. Steps caught in a cycle come last, in file order.
 * @example topoOrder([{name:'b', needs:['a']}, {name:'a', needs:[]}]) // => [a, b]
 */
export function topoOrder<T extends Node>(steps: readonly T[]): T[] {
  const byName = index(steps);
  const done = new Set<string>();
  const order: T[] = [];
  let progressed = true;
  while (progressed) {
    progressed = false;
    // Restart from the top after each pick so an earlier step that just became ready goes first.
    for (const s of steps) {
      if (done.has(s.name)) continue;
      if (s.needs.every((n) => done.has(n) || !byName.has(n))) {
        done.add(s.name);
        order.push(s);
        progressed = true;
        break;
      }
    }
  }
  return order.concat(steps.filter((s) => !done.has(s.name)));
}

/**
 * A cycle of needs as step names, starting at the cycle's step that comes first in the
 * file; each step needs the next, and the last needs the first. Undefined if acyclic.
 * @example findCycle([{name:'a', needs:['b']}, {name:'b', needs:['a']}]) // => ['a', 'b']
 */
export function findCycle(steps: readonly Node[]): string[] | undefined {
  const byName = index(steps);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    state.set(name, 'open');
    stack.push(name);
    for (const need of byName.get(name)!.needs) {
      if (!byName.has(need)) continue;
      if (state.get(need) === 'open') return stack.slice(stack.indexOf(need));
      if (!state.has(need)) {
        const found = visit(need);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const s of steps) {
    if (state.has(s.name)) continue;
    const cycle = visit(s.name);
    if (cycle) {
      const position = (n: string) => steps.findIndex((x) => x.name === n);
      const first = cycle.reduce((best, n, i) => (position(n) < position(cycle[best]!) ? i : best), 0);
      return [...cycle.slice(first), ...cycle.slice(0, first)];
    }
  }
  return undefined;
}

/** Steps no sibling needs (the scope's last steps), in file order. */
export function sinks<T extends Node>(steps: readonly T[]): T[] {
  const needed = new Set(steps.flatMap((s) => s.needs));
  return steps.filter((s) => !needed.has(s.name));
}

/** Steps that need no sibling (the scope's first steps), in file order. */
export function sources<T extends Node>(steps: readonly T[]): T[] {
  const names = new Set(steps.map((s) => s.name));
  return steps.filter((s) => !s.needs.some((n) => names.has(n)));
}

/**
 * Names of every sibling `name` needs, directly or through other siblings (not itself,
 * even in a cycle).
 */
export function transitiveNeeds(steps: readonly Node[], name: string): Set<string> {
  const byName = index(steps);
  const seen = new Set<string>();
  const todo = [...(byName.get(name)?.needs ?? [])];
  while (todo.length) {
    const n = todo.pop()!;
    if (seen.has(n) || !byName.has(n)) continue;
    seen.add(n);
    todo.push(...byName.get(n)!.needs);
  }
  seen.delete(name);
  return seen;
}
