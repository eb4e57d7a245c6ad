/** Styled text for the live view's frames, and the small formatters the frames use. */

export type { Color } from '../../term/look.js';
import type { Color } from '../../term/look.js';

export interface Segment {
  text: string;
  color?: Color;
  bold?: boolean;
}

/** One terminal row; `wrap` rows (commands to copy) wrap at the edge instead of being cut. */
export type Line = Segment[] & { wrap?: boolean };

export function wrapping(line: Segment[]): Line {
  return Object.assign(line, { wrap: true });
}

export function widthOf(line: Segment[]): number {
  return line.reduce((n, s) => n + [...s.text].length, 0);
}

export function lineText(line: Line): string {
  return line.map((s) => s.text).join('');
}

/**
 * Cuts a line to `width` columns (counting code points; Ink's own truncation is the safety
 * net for double-width characters), ending with `…` when it had to cut.
 */
export function truncate(line: Line, width: number): Line {
  if (widthOf(line) <= width) return line;
  const out: Line = [];
  let left = width - 1;
  for (const s of line) {
    if (left <= 0) break;
    const chars = [...s.text];
    if (chars.length <= left) {
      out.push(s);
      left -= chars.length;
    } else {
      out.push({ ...s, text: chars.slice(0, left).join('') });
      left = 0;
    }
  }
  out.push({ text: '…', color: 'gray' });
  return out;
}

/** Elapsed time that does not jitter: `40ms`, `12.3s`, `4m05s`, `2h03m`. */
export function clock(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function shortValue(v: unknown, max: number): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? 'null');
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}
