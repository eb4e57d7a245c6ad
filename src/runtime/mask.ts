/**
 * Secret masking: every secret param value is replaced by `***` in log lines, events and
 * records. JSON text is masked on its escaped form, so a secret inside a JSON string is
 * caught too.
 */
export interface Masker {
  text(s: string): string;
  /** Mask a value by round-tripping it through JSON. */
  value<T>(v: T): T;
  readonly active: boolean;
}

export function makeMasker(secretValues: unknown[]): Masker {
  const needles = new Set<string>();
  for (const v of secretValues) {
    if (v === undefined || v === null || v === '') continue;
    const s = typeof v === 'string' ? v : JSON.stringify(v);
    needles.add(s);
    const escaped = JSON.stringify(s).slice(1, -1);
    if (escaped !== s) needles.add(escaped);
  }
  // Longest first so a secret that contains another is masked whole.
  const list = [...needles].sort((a, b) => b.length - a.length);
  const text = (s: string): string => {
    if (list.length === 0) return s;
    let out = s;
    for (const n of list) if (out.includes(n)) out = out.split(n).join('***');
    return out;
  };
  return {
    active: list.length > 0,
    text,
    value<T>(v: T): T {
      if (list.length === 0 || v === undefined) return v;
      return JSON.parse(text(JSON.stringify(v))) as T;
    },
  };
}
