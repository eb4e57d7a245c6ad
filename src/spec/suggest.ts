/** "Did you mean" suggestions for misspelled keys, step names, params and enum values. */

/**
 * Edit distance where inserting, deleting or substituting a character, or swapping two
 * adjacent ones, costs 1 (optimal string alignment), so `lcoal` is 1 away from `local`.
 */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

function score(word: string, candidate: string): number {
  const w = word.toLowerCase();
  const c = candidate.toLowerCase();
  if (w === c) return 0.5;
  // An abbreviation (`prep` for `prepare`) is a likely slip too.
  if (w.length >= 3 && c.startsWith(w)) return 1;
  return editDistance(w, c);
}

/**
 * The candidate closest to `word`, if close enough to be a plausible typo: at most one edit
 * per three characters (at least one), or a prefix of at least three characters.
 * @example closest('nedds', ['needs', 'run']) // => 'needs'
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    if (c === word) continue;
    const s = score(word, c);
    if (s < bestScore) {
      best = c;
      bestScore = s;
    }
  }
  const limit = Math.max(1, Math.ceil(word.length / 3));
  return best !== undefined && bestScore <= limit ? best : undefined;
}

/** ` (did you mean 'x'?)` or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
  const c = closest(word, candidates);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
