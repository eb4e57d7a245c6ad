/**
 * Durations in flow files: `500ms`, `90s`, `15m`, `2h`, `1d`, `1h30m`, or a number of
 * seconds (`90`, `0.5`). Parsed to milliseconds; errors say exactly what is wrong.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const UNITS = 'ms, s, m, h, d';
const EXAMPLES = 'e.g. 500ms, 90s, 15m, 2h or 1h30m';

export class DurationError extends Error {
  readonly code = 'DURATION_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

function fail(what: string): never {
  throw new DurationError(what);
}

function fromSeconds(seconds: number, shown: string): number {
  if (!Number.isFinite(seconds)) fail(`invalid duration ${shown}: not a finite number`);
  if (seconds < 0) fail(`invalid duration ${shown}: must not be negative`);
  const ms = Math.round(seconds * 1000);
  if (!Number.isSafeInteger(ms)) fail(`invalid duration ${shown}: too large`);
  return ms;
}

/**
 * Milliseconds of a duration; throws DurationError with a precise message.
 * @example parseDuration('1h30m') // => 5_400_000
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') return fromSeconds(input, String(input));
  const s = input;
  const shown = `'${s}'`;
  if (s.trim() === '') fail(`invalid duration ${shown}: empty; use ${EXAMPLES}`);
  if (s !== s.trim() || /\s/.test(s)) fail(`invalid duration ${shown}: remove the spaces (${EXAMPLES})`);
  if (/^-/.test(s)) fail(`invalid duration ${shown}: must not be negative`);
  if (/^[0-9]+(\.[0-9]+)?$/.test(s)) return fromSeconds(Number(s), shown);
  let total = 0;
  let i = 0;
  while (i < s.length) {
    const num = /^[0-9]+/.exec(s.slice(i));
    if (!num) {
      if (/^[0-9]*\./.test(s.slice(i))) fail(`invalid duration ${shown}: fractions need the smallest unit instead (90m, not 1.5h)`);
      fail(`invalid duration ${shown}: expected a number at '${s.slice(i)}' (${EXAMPLES})`);
    }
    i += num[0].length;
    const unit = /^[a-zA-Z]+/.exec(s.slice(i));
    if (!unit) {
      if (s[i] === '.') fail(`invalid duration ${shown}: fractions need the smallest unit instead (90m, not 1.5h)`);
      if (i >= s.length) fail(`invalid duration ${shown}: missing unit after '${num[0]}' (units: ${UNITS})`);
      fail(`invalid duration ${shown}: unexpected '${s[i]}' (${EXAMPLES})`);
    }
    const factor = UNIT_MS[unit[0]];
    if (factor === undefined) {
      const hint = suggestUnit(unit[0]);
      fail(`invalid duration ${shown}: unknown unit '${unit[0]}'${hint ? ` (did you mean '${hint}'?)` : ''}; units are ${UNITS}`);
    }
    i += unit[0].length;
    total += Number(num[0]) * factor;
  }
  if (!Number.isSafeInteger(total)) fail(`invalid duration ${shown}: too large`);
  return total;
}

const UNIT_ALIASES: Record<string, string> = {
  sec: 's', secs: 's', second: 's', seconds: 's', S: 's',
  min: 'm', mins: 'm', minute: 'm', minutes: 'm', M: 'm',
  hr: 'h', hrs: 'h', hour: 'h', hours: 'h', H: 'h',
  day: 'd', days: 'd', D: 'd',
  msec: 'ms', millis: 'ms', milliseconds: 'ms', MS: 'ms',
};

function suggestUnit(unit: string): string | undefined {
  return UNIT_ALIASES[unit] ?? UNIT_ALIASES[unit.toLowerCase()];
}

/** Human form of a duration in ms, for messages (`1h30m`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const [unit, f] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(rest / f);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * f;
    }
  }
  return out;
}
