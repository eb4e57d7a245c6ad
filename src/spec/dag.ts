/**
 * Pure DAG utilities over one scope: a list of sibling steps whose `needs` name each
 * other (the top level, or the inner steps of one group). Needs that name no sibling
 * are ignored here; the spec rules report them. Linear or n·log n, and iterative, so a
 * pathological 50,000-step chain neither hangs nor overflows the stack.
 */
import type { StepSpec } from './types.js';

type Node = Pick<StepSpec, 'name' | 'needs'>;

function index<T extends Node>(steps: readonly T[]): Map<string, number> {
  const m = new Map<string, number>();
  steps.forEach((s, i) => {
    if (!m.has(s.name)) m.set(s.name, i);
  });
  return m;
}

/** A binary min-heap of file positions. */
class MinHeap {
  private readonly a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    for (let i = a.length - 1, p = (i - 1) >> 1; i > 0 && a[p]! > a[i]!; i = p, p = (i - 1) >> 1) [a[p], a[i]] = [a[i]!, a[p]!];
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && a[l]! < a[m]!) m = l;
        if (r < a.length && a[r]! < a[m]!) m = r;
        if (m === i) break;
        [a[m], a[i]] = [a[i]!, a[m]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Steps in an order where every step comes after what it needs; among steps that are
 * ready at the same time, file order wins. Steps caught in a cycle come last, in file order.
 * @example topoOrder([{name:'b', needs:['a']}, {name:'a', needs:[]}]) // => [a, b]
 */
export function topoOrder<T extends Node>(steps: readonly T[]): T[] {
  const at = index(steps);
  const waiting = steps.map((s) => new Set(s.needs.filter((n) => at.has(n))).size);
  const dependents: number[][] = steps.map(() => []);
  steps.forEach((s, i) => new Set(s.needs).forEach((n) => at.has(n) && dependents[at.get(n)!]!.push(i)));
  const ready = new MinHeap();
  waiting.forEach((w, i) => w === 0 && ready.push(i));
  const order: T[] = [];
  const done = new Set<number>();
  while (ready.size) {
    const i = ready.pop();
    order.push(steps[i]!);
    done.add(i);
    for (const d of dependents[i]!) if (--waiting[d]! === 0) ready.push(d);
  }
  return order.concat(steps.filter((_, i) => !done.has(i)));
}

/**
 * A cycle of needs as step names, starting at the cycle's step that comes first in the
 * file; each step needs the next, and the last needs the first. Undefined if acyclic.
 * @example findCycle([{name:'a', needs:['b']}, {name:'b', needs:['a']}]) // => ['a', 'b']
 */
export function findCycle(steps: readonly Node[]): string[] | undefined {
  const at = index(steps);
  const state = new Uint8Array(steps.length); // 0 new, 1 on the DFS path, 2 done
  for (let root = 0; root < steps.length; root++) {
    if (state[root]) continue;
    const path: number[] = [root];
    const next: number[] = [0];
    state[root] = 1;
    while (path.length) {
      const top = path[path.length - 1]!;
      const needs = steps[top]!.needs;
      if (next[next.length - 1]! >= needs.length) {
        state[top] = 2;
        path.pop();
        next.pop();
        continue;
      }
      const n = at.get(needs[next[next.length - 1]!++]!);
      if (n === undefined || state[n] === 2) continue;
      if (state[n] === 1) {
        const cycle = path.slice(path.indexOf(n));
        const first = cycle.indexOf(Math.min(...cycle));
        return [...cycle.slice(first), ...cycle.slice(0, first)].map((i) => steps[i]!.name);
      }
      state[n] = 1;
      path.push(n);
      next.push(0);
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
 * @example transitiveNeeds([{name:'a', needs:[]}, {name:'b', needs:['a']}, {name:'c', needs:['b']}], 'c') // => Set {b, a}
 */
export function transitiveNeeds(steps: readonly Node[], name: string): Set<string> {
  return reachability(steps).from(name);
}

/**
 * Reachability queries over one scope, indexing it once: `needs(a, b)` says whether `a`
 * needs `b` directly or transitively, stopping as soon as it finds it.
 */
export function reachability(steps: readonly Node[]): { needs(from: string, target: string): boolean; from(name: string): Set<string> } {
  const at = index(steps);
  const walk = (from: string, stop?: string): Set<string> => {
    const seen = new Set<string>();
    const todo = [...(steps[at.get(from) ?? -1]?.needs ?? [])];
    while (todo.length) {
      const n = todo.pop()!;
      if (seen.has(n) || !at.has(n)) continue;
      seen.add(n);
      if (n === stop) break;
      todo.push(...steps[at.get(n)!]!.needs);
    }
    seen.delete(from);
    return seen;
  };
  return {
    needs: (from, target) => from !== target && walk(from, target).has(target),
    from: (name) => walk(name),
  };
}
