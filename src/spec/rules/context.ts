/** What a semantic rule gets: the normalized spec plus a way to point at the file. */
import type { Problem, SourceLoc } from '../../errors.js';
import type { DataPath } from '../positions.js';
import type { FlowSource } from '../source.js';
import type { FlowSpec } from '../types.js';

export interface RuleContext {
  spec: FlowSpec;
  src: FlowSource;
  /** Location of the value at `path` (its key with `key`). */
  loc(path: DataPath, key?: boolean): SourceLoc;
  /** Location of character `offset` of the string at `path`. */
  locIn(path: DataPath, offset: number): SourceLoc;
}

/** A semantic rule: pure, reports every problem it finds. */
export type Rule = (ctx: RuleContext) => Problem[];
