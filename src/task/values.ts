/**
 * The `FLOW_VALUES` file a task writes: one `name=value` per line, the value parsed as JSON
 * when it is JSON (`folds=[0,1,2]`, `ok=true`, `msg="a b"`) and kept as a string otherwise
 * (`model=resnet50`). Blank lines and `#` comments are ignored, later lines win, and
 * whitespace around the name and the value is dropped (quote a JSON string to keep it).
 * Bad lines become problems with their line number rather than errors, so one typo does
 * not lose the other values.
 */
import { constants, lstatSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

export interface ParsedValues {
  values: Record<string, unknown>;
  problems: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** @example parseValuesFile('folds=[0,1,2]\nmodel=resnet') → { values: { folds: [0,1,2], model: 'resnet' }, problems: [] } */
export function parseValuesFile(text: string): ParsedValues {
  // A Map, not an object: a value named `__proto__` must stay a plain value.
  const values = new Map<string, unknown>();
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq === -1) {
      problems.push(`line ${i + 1}: expected name=value, got ${JSON.stringify(clip(line))}`);
      return;
    }
    const name = line.slice(0, eq).trim();
    if (!NAME.test(name)) {
      problems.push(
        `line ${i + 1}: ${JSON.stringify(clip(name))} is not a valid value name (letters, digits and _, not starting with a digit)`,
      );
      return;
    }
    values.set(name, parseValue(line.slice(eq + 1).trim()));
  });
  return { values: Object.fromEntries(values), problems };
}

/** Values are small; a file bigger than this is a mistake (or `ln -s /dev/zero`), reported, not read. */
export const MAX_VALUES_BYTES = 16 * 1024 * 1024;

/**
 * Parse the file at `path`; a task that wrote no values has no file, which is not a problem.
 * The task owns that path, so it is read only as the regular file it should be: a symlink
 * (to a file elsewhere, or to /dev/zero), a FIFO or an oversized file is a problem instead.
 */
export async function readValuesFile(path: string): Promise<ParsedValues> {
  // Most tasks write no values: a synchronous check (~10 µs) spares them a thread-pool
  // round trip that only returns ENOENT. lstat: a link is not followed.
  const st = lstatOrUndefined(path);
  if (!st) return { values: {}, problems: [] };
  if (!st.isFile()) return { values: {}, problems: [`FLOW_VALUES must be a regular file written by the task, not ${kind(st)}`] };
  let text: string;
  try {
    // O_NOFOLLOW | O_NONBLOCK: a link or FIFO swapped in after the lstat fails (or cannot block) instead of being read.
    const fh = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const fst = await fh.stat();
      if (!fst.isFile()) return { values: {}, problems: [`FLOW_VALUES must be a regular file written by the task, not ${kind(fst)}`] };
      if (fst.size > MAX_VALUES_BYTES) return { values: {}, problems: [`FLOW_VALUES is ${fst.size} bytes; values are limited to ${MAX_VALUES_BYTES} (write big results as outputs)`] };
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { values: {}, problems: [] };
    if (code === 'ELOOP') return { values: {}, problems: ['FLOW_VALUES must be a regular file written by the task, not a symlink'] };
    throw e;
  }
  return parseValuesFile(text);
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function kind(st: Stats): string {
  return st.isSymbolicLink() ? 'a symlink' : st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO' : 'a special file';
}

function parseValue(text: string): unknown {
  if (text === '') return '';
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}
