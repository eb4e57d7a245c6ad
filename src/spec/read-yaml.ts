/**
 * Reads a flow file and parses it as YAML, keeping source positions. The only module of
 * the loader that touches the filesystem. Everything that can go wrong with the bytes
 * (missing, directory, too large, binary, not UTF-8, YAML syntax, duplicate keys, empty,
 * not a mapping) becomes a Problem at a line:col.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Document, isAlias, isMap, isScalar, LineCounter, parseDocument, visit, type YAMLError } from 'yaml';
import type { Problem, SourceLoc } from '../errors.js';
import { MAX_NESTING, tooDeepAt } from './nesting.js';
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

/** line:col of a character offset, without building a LineCounter. */
function offsetLoc(file: string, text: string, at: number): SourceLoc {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { file, line, col: at - lineStart + 1 };
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
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    return fail(file, `the YAML is nested more than ${MAX_NESTING} levels deep here; a flow file needs far fewer`, 'flatten the structure (lists and mappings inside each other)', offsetLoc(file, text, deep));
  }
  const lines = new LineCounter();
  // uniqueKeys is checked below in one pass (yaml's own check is quadratic in a mapping's size).
  // merge: YAML 1.1 `<<: *base` merge keys, as in docker-compose files.
  const doc = parseOrOverflow(text, lines);
  // The nesting check above is an approximation; a stack overflow it let through is still a problem, not a crash.
  if (!doc) return fail(file, 'the YAML is nested too deeply to read', 'flatten the structure (lists and mappings inside each other)');
  const at = (offset: number) => locOfOffset({ file, lines }, offset);
  const syntax = doc.errors[0];
  if (syntax) {
    // After the first syntax error the parser's further complaints are mostly echoes of it.
    return { problems: [{ loc: at(syntax.pos[0]), message: yamlMessage(syntax), rule: 'yaml-syntax', hint: 'fix the YAML syntax first; later problems are found once it parses' }] };
  }
  const keys = keyProblems(doc, at);
  if (keys.length) return { problems: keys };
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

/** The parsed document, or undefined when the parser ran out of stack. */
function parseOrOverflow(text: string, lineCounter: LineCounter) {
  try {
    return parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: true });
  } catch (e) {
    if ((e as Error)?.name === 'RangeError') return undefined;
    throw e;
  }
}

function yamlMessage(e: YAMLError): string {
  if (e.code === 'MULTIPLE_DOCS') return 'the file holds more than one YAML document (---); a flow file is a single document';
  if (/call stack/i.test(e.message)) return 'the YAML is nested too deeply to read';
  const msg = e.message.replace(/ at line \d+, column \d+[\s\S]*$/, '');
  return `YAML syntax error: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}`;
}

/**
 * Every key that repeats an earlier key of the same mapping, at the repeat, and every key
 * that is a list or a mapping (a flow's keys are names; yaml would turn such a key into
 * text and print a warning on stderr).
 */
function keyProblems(doc: Document, at: (o: number) => SourceLoc): Problem[] {
  const problems: Problem[] = [];
  visit(doc, {
    Map(_, map) {
      const first = new Map<string, number>();
      for (const pair of map.items) {
        const key = isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
        if (key && !isScalar(key)) {
          const what = `${isAlias(pair.key) ? 'an alias of ' : ''}${isMap(key) ? 'a mapping' : 'a list'}`;
          problems.push({ loc: at((pair.key as { range?: [number] }).range?.[0] ?? 0), message: `a key must be a plain name, not ${what}`, rule: 'yaml-syntax' });
          continue;
        }
        if (!isScalar(pair.key) || pair.key.value === '<<') continue;
        const name = String(pair.key.value);
        const offset = pair.key.range?.[0] ?? 0;
        const earlier = first.get(name);
        if (earlier === undefined) {
          first.set(name, offset);
          continue;
        }
        problems.push({
          loc: at(offset),
          message: `duplicate key '${name}' (first defined at line ${at(earlier).line})`,
          rule: 'duplicate-key',
          hint: 'each key may appear once in a mapping; merge the two entries',
        });
      }
    },
  });
  return problems.sort((a, b) => a.loc!.line - b.loc!.line || a.loc!.col - b.loc!.col);
}
