/**
 * Run ids: `20261126T131500.123Z-k3f9qz`, a UTC timestamp to the millisecond and 6 base32
 * characters (30 random bits). Lexicographic order is chronological, and they are readable.
 * Within one process, ids minted in the same millisecond increment the random part (as
 * ULIDs do), so even those keep their order. Across processes and machines the random
 * part makes collisions unlikely and the store's exclusive claim makes them impossible.
 */

/** Crockford's base32, lowercase: no i, l, o, u to misread. */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const SUFFIX_CHARS = 6;
const SUFFIX_SPACE = 32 ** SUFFIX_CHARS;

let lastMs = 0;
let lastSuffix = 0;

/** The next candidate id; the caller claims it in the store and asks again on a collision. */
export function nextRunId(now: number = Date.now()): string {
  let ms = Math.max(now, lastMs); // never go back, even if the wall clock does
  let suffix: number;
  if (ms === lastMs && lastSuffix + 1 < SUFFIX_SPACE) {
    suffix = lastSuffix + 1;
  } else {
    if (ms === lastMs) ms++;
    suffix = Math.floor(Math.random() * SUFFIX_SPACE);
  }
  lastMs = ms;
  lastSuffix = suffix;
  return `${compactIso(ms)}-${encode(suffix)}`;
}

export const RUN_ID_PATTERN = /^\d{8}T\d{6}\.\d{3}Z-[0-9a-hjkmnp-tv-z]{6}$/;

/** The time a run id was minted, or undefined if it is not a run id. */
export function runIdTime(id: string): Date | undefined {
  if (!RUN_ID_PATTERN.test(id)) return undefined;
  const iso = `${id.slice(0, 4)}-${id.slice(4, 6)}-${id.slice(6, 11)}:${id.slice(11, 13)}:${id.slice(13, 19)}Z`;
  return new Date(iso);
}

function compactIso(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

function encode(n: number): string {
  let s = '';
  for (let i = 0; i < SUFFIX_CHARS; i++) {
    s = ALPHABET[n % 32] + s;
    n = Math.floor(n / 32);
  }
  return s;
}
