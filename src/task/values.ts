/**
 * The `FLOW_VALUES` file a task writes: one `name=value` per line, the value parsed as JSON
 * when it is JSON (`folds=[0,1,2]`, `ok=true`, `msg="a b"`) and kept as a string otherwise
 * (`model=resnet50`). Blank lines and `#` comments are ignored, later lines win, and
 * whitespace around the name and the value is dropped (quote a JSON string to keep it).
 * Bad lines become problems with their line number rather than errors, so one typo does
 * not lose the other values.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';

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

/** Parse the file at `path`; a task that wrote no values has no file, which is not a problem. */
export async function readValuesFile(path: string): Promise<ParsedValues> {
  // Most tasks write no values: a synchronous existence check (~10 µs) spares them a
  // thread-pool round trip that only returns ENOENT.
  if (!existsSync(path)) return { values: {}, problems: [] };
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, problems: [] };
    throw e;
  }
  return parseValuesFile(text);
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
