/**
 * NOT_FOUND errors that name what exists nearby, so a typo is one glance from its fix:
 * "run train/… has no step 'fitt'; steps: prepare, split, fit, evaluate (did you mean 'fit'?)".
 */
import { ExitCode, FlowctlError } from '../errors.js';

const MAX_LISTED = 20;

export function notFound(message: string, hint?: string): FlowctlError {
  return new FlowctlError('NOT_FOUND', message, { exitCode: ExitCode.Usage, hint });
}

/**
 * `; steps: a, b, c (did you mean 'b'?)`, or `; it has no steps` when there are none.
 * @example nearby('steps', ['fit', 'split'], 'fitt') // => "; steps: fit, split (did you mean 'fit'?)"
 */
export function nearby(what: string, candidates: readonly string[], wanted: string, opts: { suggest?: boolean } = {}): string {
  if (candidates.length === 0) return `; it has no ${what}`;
  const shown = candidates.slice(0, MAX_LISTED).join(', ');
  const more = candidates.length > MAX_LISTED ? `, … (${candidates.length - MAX_LISTED} more)` : '';
  const guess = opts.suggest === false ? undefined : closest(wanted, candidates);
  return `; ${what}: ${shown}${more}${guess ? ` (did you mean '${guess}'?)` : ''}`;
}

/** The candidate a plausible typo away from word: at most one edit per three characters, or a prefix of 3+ characters. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  const w = word.toLowerCase();
  for (const c of candidates) {
    const l = c.toLowerCase();
    if (c === word) continue;
    const s = l === w ? 0.5 : w.length >= 3 && l.startsWith(w) ? 1 : editDistance(w, l, bestScore);
    if (s < bestScore) {
      best = c;
      bestScore = s;
    }
  }
  return best !== undefined && bestScore <= Math.max(1, Math.ceil(word.length / 3)) ? best : undefined;
}

/** Optimal string alignment distance (a swap of two neighbours costs 1); gives up above `cap`. */
export function editDistance(a: string, b: string, cap = Infinity): number {
  if (Math.abs(a.length - b.length) > cap) return Infinity;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2]! + 1);
      cur.push(v);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length]!;
}
