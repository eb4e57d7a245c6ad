/**
 * Maps a path in the flow data (`['steps', 'fit', 'needs', 0]`, or an ajv instancePath)
 * to a source position via the YAML document's nodes. Never fails: when the exact node
 * is missing it falls back to the closest existing ancestor.
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { SourceLoc } from '../errors.js';
import { type FlowSource, locOfOffset } from './source.js';

export type DataPath = Array<string | number>;

interface Found {
  /** The value node at the full path, if it exists. */
  node?: Node;
  /** The key node of the last segment, when the parent is a mapping that has it. */
  key?: Node;
  /** Key (preferred) or value of the deepest existing ancestor, for fallbacks. */
  nearest: Node | undefined;
}

type Src = Pick<FlowSource, 'file' | 'lines' | 'doc' | 'text'>;

function deref(src: Src, n: unknown): Node | undefined {
  if (isAlias(n)) return (n.resolve(src.doc) as Node | undefined) ?? undefined;
  return (n ?? undefined) as Node | undefined;
}

const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

/** A mapping's pairs by key, built once per mapping: a flow may have thousands of steps. */
function pairsOf(map: YAMLMap): Map<string, Pair> {
  let index = pairIndex.get(map);
  if (!index) {
    index = new Map();
    for (const p of map.items) {
      const k = String(isScalar(p.key) ? p.key.value : p.key);
      if (!index.has(k)) index.set(k, p);
    }
    pairIndex.set(map, index);
  }
  return index;
}

/** Walks the YAML nodes along `path`. */
export function findNode(src: Src, path: DataPath): Found {
  let node = deref(src, src.doc.contents);
  let key: Node | undefined;
  let nearest: Node | undefined = node;
  for (const seg of path) {
    key = undefined;
    if (isMap(node)) {
      const pair = pairsOf(node).get(String(seg));
      if (!pair) return { nearest };
      key = pair.key as Node;
      node = deref(src, pair.value);
      nearest = key;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) return { nearest };
      node = deref(src, item);
      nearest = node;
    } else {
      return { nearest };
    }
    if (node === undefined) return { key, nearest };
  }
  return { node, key, nearest };
}

/** Decodes an ajv JSON-pointer instancePath (`/steps/fit/needs/0`) into a DataPath. */
export function pointerToPath(pointer: string): DataPath {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function startOf(src: Src, n: Node | undefined): SourceLoc {
  return locOfOffset(src, n?.range?.[0] ?? 0);
}

/**
 * Where to point for `path`. With `key`, the key of the last segment (`fit:` rather than
 * the first line of its mapping); also used for mappings, whose own start is their first key.
 */
export function locAt(src: Src, path: DataPath, opts: { key?: boolean } = {}): SourceLoc {
  const f = findNode(src, path);
  if (f.key && (opts.key || !f.node || isMap(f.node) || (isSeq(f.node) && !f.node.flow))) return startOf(src, f.key);
  if (f.node) return startOf(src, f.node);
  return startOf(src, f.nearest);
}

/**
 * The position of character `offset` of the string value at `path`. Exact for plain and
 * quoted single-line scalars without escapes; best effort (same text on the same line)
 * for block scalars and escaped strings; else the value's start.
 */
export function locInValue(src: Src, path: DataPath, offset: number): SourceLoc {
  const { node } = findNode(src, path);
  if (!isScalar(node) || !node.range) return locAt(src, path);
  const raw = String(node.value);
  const [start, end] = node.range;
  const slice = src.text.slice(start, end);
  const type = (node as Scalar).type;
  if (type === 'PLAIN' && slice === raw) return locOfOffset(src, start + offset);
  if ((type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') && slice.slice(1, -1) === raw) return locOfOffset(src, start + 1 + offset);
  const found = findRawLine(raw, offset, slice);
  return locOfOffset(src, found === undefined ? start : start + found);
}

/** Offset in `slice` of raw's character `offset`, by finding raw's lines in order in the source text. */
function findRawLine(raw: string, offset: number, slice: string): number | undefined {
  const lines = raw.split('\n');
  let cursor = 0;
  let lineStart = 0;
  for (const line of lines) {
    const lineEnd = lineStart + line.length;
    const at = line.trim() === '' ? cursor : slice.indexOf(line, cursor);
    const inLine = offset >= lineStart && offset <= lineEnd;
    if (inLine) {
      if (at >= 0 && line !== '') return at + (offset - lineStart);
      // A folded or escaped line: look for the text from the offset onward instead.
      const rest = raw.slice(offset, Math.min(lineEnd, offset + 40));
      const near = rest ? slice.indexOf(rest, cursor) : -1;
      return near >= 0 ? near : undefined;
    }
    if (at >= 0) cursor = at + line.length;
    lineStart = lineEnd + 1;
  }
  return undefined;
}
