/**
 * Aligned text tables and `key  value` blocks for `show`, `logs` and `tag`. Colour only on
 * a TTY (and never with NO_COLOR or TERM=dumb); widths are computed on the plain text.
 */

export type Align = 'left' | 'right';

export interface TableOptions {
  color?: boolean;
  align?: Align[];
  /** Style a cell (called only when colour is on). */
  style?: (text: string, row: number, col: number) => string;
  /** Spaces between columns (default 2). */
  gap?: number;
}

const ESC = '\u001b[';
const wrap = (open: number, close: number) => (s: string) => `${ESC}${open}m${s}${ESC}${close}m`;
export const paint = {
  bold: wrap(1, 22),
  dim: wrap(2, 22),
  red: wrap(31, 39),
  green: wrap(32, 39),
  yellow: wrap(33, 39),
  blue: wrap(34, 39),
  cyan: wrap(36, 39),
};

/** Whether to colour output written to stream. */
export function shouldColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!stream.isTTY && env.NO_COLOR === undefined && env.TERM !== 'dumb';
}

/** The colour of a run, step, task or attempt state. */
export function stateColor(state: string): (s: string) => string {
  if (/^(succeeded|cached)/.test(state)) return paint.green;
  if (/^(failed|dead|timeout|damaged)/.test(state)) return paint.red;
  if (/^(running|pending)/.test(state)) return paint.yellow;
  if (/^(interrupted|caught|skipped|not run)/.test(state)) return paint.dim;
  return (s) => s;
}

/** One line of text: control characters (newlines in a reason) become spaces. */
export function cell(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  const s = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}

function width(s: string): number {
  return [...s].length;
}

/**
 * @example renderTable(['RUN', 'STATE'], [['2026…', 'succeeded']]) // "RUN    STATE\n2026…  succeeded"
 */
export function renderTable(header: string[], rows: string[][], opts: TableOptions = {}): string {
  const gap = ' '.repeat(opts.gap ?? 2);
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: string[], row: number) =>
    cells.map((c, i) => {
      const pad = ' '.repeat(widths[i]! - width(c));
      const styled = opts.color ? (row < 0 ? paint.bold(c) : opts.style?.(c, row, i) ?? c) : c;
      const last = i === cells.length - 1;
      return opts.align?.[i] === 'right' ? pad + styled : last ? styled : styled + pad;
    }).join(gap).trimEnd();
  return [line(header, -1), ...rows.map((r, i) => line(r, i))].join('\n');
}

/** `key  value` lines with the values aligned. */
export function renderFields(fields: Array<[string, string]>, opts: { color?: boolean; indent?: string } = {}): string {
  const w = Math.max(0, ...fields.map(([k]) => width(k)));
  const indent = opts.indent ?? '';
  return fields.map(([k, v]) => `${indent}${opts.color ? paint.bold(k) : k}${' '.repeat(w - width(k))}  ${v}`.trimEnd()).join('\n');
}
