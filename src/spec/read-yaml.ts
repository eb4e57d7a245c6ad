/**
 * Reads a flow file and parses it as YAML, keeping source positions. The only module of
 * the loader that touches the filesystem. Everything that can go wrong with the bytes
 * (missing, directory, too large, binary, not UTF-8, YAML syntax, duplicate keys, empty,
 * not a mapping) becomes a Problem at a line:col.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMap, isPair, isScalar, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import type { Problem } from '../errors.js';
import { fileLoc, type FlowSource, locOfOffset } from './source.js';

/** Flow files are small; anything bigger is almost surely not one, and parsing it would be slow. */
export const MAX_FLOW_BYTES = 5 * 1024 * 1024;

export type ReadResult = { source: FlowSource; problems: [] } | { source?: undefined; problems: Problem[] };

function fail(file: string, message: string, hint?: string, loc = fileLoc(file)): ReadResult {
  return { problems: [{ loc, message, rule: 'file', ...(hint ? { hint } : {}) }] };
}

/** Reads and parses `file` (a path as the user typed it). Never throws for bad input. */
export async function readFlowYaml(file: string): Promise<ReadResult> {
  const absPath = resolve(file);
  let bytes: Buffer;
  try {
    const st = await stat(absPath);
    if (st.isDirectory()) return fail(file, `${file} is a directory, not a flow file`, 'pass the path of a .yaml flow file');
    if (!st.isFile()) return fail(file, `${file} is not a regular file`);
    if (st.size > MAX_FLOW_BYTES) {
      return fail(file, `file is too large (${(st.size / 1024 / 1024).toFixed(1)} MiB); a flow file is at most ${MAX_FLOW_BYTES / 1024 / 1024} MiB`, 'is this really a flow file?');
    }
    bytes = await readFile(absPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail(file, `no such file: ${file}`, 'check the path; flow files usually live in flows/');
    if (code === 'EACCES' || code === 'EPERM') return fail(file, `cannot read ${file}: permission denied`);
    if (code === 'ENOTDIR') return fail(file, `no such file: ${file} (a parent is not a directory)`);
    return fail(file, `cannot read ${file}: ${(e as Error).message}`);
  }
  const specHash = createHash('sha256').update(bytes).digest('hex');
  const nul = bytes.indexOf(0);
  if (nul >= 0) return fail(file, 'not a text file (it contains NUL bytes); a flow file is YAML text', undefined, byteLoc(file, bytes, nul));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const lines = new LineCounter();
    lenient.split('\n').reduce((offset, line) => (lines.addNewLine(offset), offset + line.length + 1), 0);
    return fail(file, 'not valid UTF-8 text; save the flow file as UTF-8', undefined, locOfOffset({ file, lines }, Math.max(0, lenient.indexOf('\uFFFD'))));
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return parseText(file, absPath, text, specHash);
}

function byteLoc(file: string, bytes: Buffer, at: number): { file: string; line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = bytes.indexOf(10); i >= 0 && i < at; i = bytes.indexOf(10, i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, col: at - lineStart + 1 };
}

/** Parses YAML text; pure (exported for tests). */
export function parseText(file: string, absPath: string, text: string, specHash: string): ReadResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => locOfOffset({ file, lines }, offset);
  if (doc.errors.length > 0) {
    // After the first syntax error the parser's further complaints are mostly echoes of it.
    const dupes = doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
    const other = doc.errors.find((e) => e.code !== 'DUPLICATE_KEY');
    const problems: Problem[] = dupes.map((e) => duplicateKey(doc, e, text, at));
    if (other) problems.push({ loc: at(other.pos[0]), message: yamlMessage(other), rule: 'yaml-syntax', hint: 'fix the YAML syntax first; later problems are found once it parses' });
    return { problems: problems.sort((a, b) => a.loc!.line - b.loc!.line || a.loc!.col - b.loc!.col) };
  }
  if (doc.contents === null || (isScalar(doc.contents) && (doc.contents.value === null || doc.contents.value === ''))) {
    return fail(file, 'the file is empty; a flow needs at least version:, name: and steps:', 'see `flowctl schema` or flows/train.yaml for an example');
  }
  if (!isMap(doc.contents)) {
    const what = isScalar(doc.contents) ? `a ${typeof doc.contents.value}` : 'a list';
    return fail(file, `the top level must be a mapping (version:, name:, steps:, …), not ${what}`, undefined, at(doc.contents.range?.[0] ?? 0));
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    return fail(file, `cannot read the YAML document: ${(e as Error).message}`);
  }
  return { source: { file, absPath, text, specHash, doc, lines, data }, problems: [] };
}

function yamlMessage(e: YAMLError): string {
  if (e.code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document (---); a flow file is a single document';
  const msg = e.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  return `YAML syntax error: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}`;
}

function duplicateKey(doc: ReturnType<typeof parseDocument>, e: YAMLError, text: string, at: (o: number) => Problem['loc']): Problem {
  let name = text.slice(e.pos[0], e.pos[1]);
  let firstLine: number | undefined;
  visit(doc, {
    Map(_, map) {
      const dup = map.items.find((p) => isPair(p) && (p.key as { range?: number[] } | null)?.range?.[0] === e.pos[0]);
      if (!dup) return undefined;
      const key = dup.key as { value?: unknown; range?: number[] };
      name = String(key.value ?? name);
      const first = map.items.find((p) => isPair(p) && (p.key as { value?: unknown } | null)?.value === key.value);
      const firstOffset = (first?.key as { range?: number[] } | undefined)?.range?.[0];
      if (firstOffset !== undefined && firstOffset !== e.pos[0]) firstLine = at(firstOffset)!.line;
      return visit.BREAK;
    },
  });
  return {
    loc: at(e.pos[0]),
    message: `duplicate key '${name}'${firstLine ? ` (first defined at line ${firstLine})` : ''}`,
    rule: 'duplicate-key',
    hint: 'each key may appear once in a mapping; merge the two entries',
  };
}
