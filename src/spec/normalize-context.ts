/** Shared by the normalizer's parts: where problems go and how to locate a data path. */
import type { Problem, SourceLoc } from '../errors.js';
import { type DataPath, locAt, locInValue } from './positions.js';
import type { FlowSource } from './source.js';

export interface NormalizeContext {
  src: FlowSource;
  problems: Problem[];
  /** Location of the value at `path` (its key with `key`). */
  loc(path: DataPath, key?: boolean): SourceLoc;
  /** Location of character `offset` of the string at `path`. */
  locIn(path: DataPath, offset: number): SourceLoc;
}

export function normalizeContext(src: FlowSource): NormalizeContext {
  return {
    src,
    problems: [],
    loc: (path, key = false) => locAt(src, path, { key }),
    locIn: (path, offset) => locInValue(src, path, offset),
  };
}

export type Raw = Record<string, unknown>;

export function isRecord(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
