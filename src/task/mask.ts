/**
 * Secret masking: every secret param value is replaced by `***` in log lines, events and
 * records. Besides the whole value, the masker looks for its parts, the way GitHub Actions
 * does: each line of a multi-line value (programs print those one at a time, often with
 * other line endings or indentation) and each element of a list or object value (a foreach
 * item). Every needle is also looked for in its JSON-escaped form, so a secret inside a JSON
 * string (`"line1\nline2"`) is caught too.
 */

/**
 * Parts of a secret (a line, an element) shorter than this are not masked on their own:
 * masking `}` or `ok` everywhere would wreck every log, and so few characters give little
 * away. A whole value is masked at any length.
 */
export const MIN_PART_CHARS = 4;
/** message() hides any run of this many characters that also occurs in a secret. */
const FRAGMENT_CHARS = 6;

export interface Masker {
  /** Replaces every secret, line and element of one in `s` with `***`. */
  text(s: string): string;
  /**
   * text(), and also hides any run of 6+ characters that occurs in a secret: for error
   * messages, which may quote a clipped value (`"line-one-A"... is not valid JSON`).
   */
  message(s: string): string;
  /** A copy of a JSON-like value with every string (and object key, and number whose digits hold a secret) masked. */
  value<T>(v: T): T;
  /** True when `s` holds a secret (or a line or element of one). */
  contains(s: string): boolean;
  /**
   * Like contains(), but a secret shorter than MIN_PART_CHARS counts only when `s` is exactly it:
   * for deciding which inherited variables a task may see (a 2-character secret must not hide
   * every PATH that happens to contain those characters).
   */
  holds(s: string): boolean;
  /**
   * The largest cut ≤ `at` (a byte offset in `bytes`) that does not split a secret, so an
   * over-long line cut in two pieces is still masked; `at` when none straddles it.
   */
  safeCut(bytes: Buffer, at: number): number;
  readonly active: boolean;
}

export function makeMasker(secretValues: unknown[]): Masker {
  const needles = new Set<string>();
  for (const v of secretValues) for (const n of needlesOf(v)) needles.add(n);
  // Longest first so a secret that contains another is masked whole.
  const list = [...needles].sort((a, b) => b.length - a.length);
  const re = list.length > 0 ? new RegExp(list.map(escapeRegExp).join('|'), 'g') : undefined;
  const contains = (s: string): boolean => list.some((n) => s.includes(n));
  // The common case, text without a secret, costs one substring search per needle.
  const text = (s: string): string => (re && contains(s) ? s.replace(re, '***') : s);
  let grams: Set<string> | undefined;
  let byteNeedles: string[] | undefined;

  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') return text(x);
    if (typeof x === 'number') {
      const s = String(x);
      return contains(s) ? text(s) : x;
    }
    if (x === null || typeof x !== 'object') return x;
    if (Array.isArray(x)) return x.map(walk);
    const toJSON = (x as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return walk(toJSON.call(x));
    // fromEntries defines own properties: a key named `__proto__` stays a plain key.
    return Object.fromEntries(Object.entries(x).map(([k, val]) => [text(k), walk(val)]));
  };

  const long = list.filter((n) => n.length >= MIN_PART_CHARS);
  return {
    active: list.length > 0,
    text,
    contains,
    holds: (s: string): boolean => needles.has(s) || long.some((n) => s.includes(n)),
    value<T>(v: T): T {
      return list.length === 0 ? v : (walk(v) as T);
    },
    message(s: string): string {
      const out = text(s);
      grams ??= fragmentsOf(list);
      return grams.size === 0 ? out : hideFragments(out, grams);
    },
    safeCut(bytes: Buffer, at: number): number {
      // latin1 maps each byte to one character, so offsets in these strings are byte offsets.
      byteNeedles ??= list.map((n) => Buffer.from(n, 'utf8').toString('latin1'));
      return safeCutIn(bytes, at, byteNeedles);
    },
  };
}

/**
 * One line per secret param whose value is 1 to 3 characters long: it is masked wherever those
 * characters appear (hiding unrelated output), and so short a value is hardly secret.
 */
export function shortSecretWarnings(params: Record<string, unknown>, secrets: string[]): string[] {
  return secrets.flatMap((name) => {
    const v = params[name];
    if (v === undefined || v === null || v === '') return [];
    const len = [...(typeof v === 'string' ? v : JSON.stringify(v))].length;
    return len < MIN_PART_CHARS
      ? [`secret param '${name}' is only ${len} character${len === 1 ? '' : 's'} long: it is masked as *** wherever those characters appear in logs, events and records`]
      : [];
  });
}

/** The whole value (any length), its lines and elements (≥ MIN_PART_CHARS), and their JSON-escaped forms. */
function needlesOf(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  const whole = typeof v === 'string' ? v : JSON.stringify(v);
  const out = [whole];
  const parts = typeof v === 'string' ? [v] : leaves(v);
  if (typeof v !== 'string') out.push(...parts.filter((p) => p.length >= MIN_PART_CHARS));
  for (const p of parts) {
    for (const line of p.split(/\r\n|\r|\n/)) {
      const t = line.trim();
      if (t.length >= MIN_PART_CHARS) out.push(t);
    }
  }
  for (const n of [...out]) {
    const escaped = JSON.stringify(n).slice(1, -1);
    if (escaped !== n) out.push(escaped);
  }
  return out;
}

/** Every string and number inside a list or object value, as text. */
function leaves(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (typeof v === 'number') return [String(v)];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (v !== null && typeof v === 'object') return Object.values(v).flatMap(leaves);
  return [];
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function fragmentsOf(needles: string[]): Set<string> {
  const grams = new Set<string>();
  for (const n of needles) for (let i = 0; i + FRAGMENT_CHARS <= n.length; i++) grams.add(n.slice(i, i + FRAGMENT_CHARS));
  return grams;
}

/** Replaces every maximal run of text covered by secret fragments with `***`. */
function hideFragments(s: string, grams: Set<string>): string {
  let out = '';
  let from = 0;
  let coveredTo = -1;
  let runStart = -1;
  for (let i = 0; i + FRAGMENT_CHARS <= s.length; i++) {
    if (!grams.has(s.slice(i, i + FRAGMENT_CHARS))) continue;
    if (i > coveredTo) {
      if (runStart !== -1) {
        out += `${s.slice(from, runStart)}***`;
        from = coveredTo;
      }
      runStart = i;
    }
    coveredTo = i + FRAGMENT_CHARS;
  }
  if (runStart !== -1) {
    out += `${s.slice(from, runStart)}***`;
    from = coveredTo;
  }
  return out + s.slice(from);
}

function safeCutIn(bytes: Buffer, at: number, needles: string[]): number {
  const longest = needles.reduce((m, n) => Math.max(m, n.length), 0);
  let cut = at;
  for (let moved = true; moved && cut > 0; ) {
    moved = false;
    const from = Math.max(0, cut - longest + 1);
    const window = bytes.toString('latin1', from, Math.min(bytes.length, cut + longest - 1));
    for (const n of needles) {
      for (let i = window.indexOf(n); i !== -1 && from + i < cut; i = window.indexOf(n, i + 1)) {
        if (from + i + n.length > cut) {
          cut = from + i;
          moved = true;
          break;
        }
      }
      if (moved) break;
    }
  }
  // A secret that starts the buffer and runs past the cut (longer than a whole line buffer): give up.
  return cut > 0 ? cut : at;
}
