/** Types of driver.mjs (plain JavaScript, shared with bench/fuzz-soak.mjs). */
import type { CorpusFile } from './mutate.mjs';

export interface FuzzFailure {
  kind: 'flow' | 'expr';
  seed: number;
  n: number;
  ops: string;
  why: string;
  input: Buffer;
}
export interface FuzzStats {
  flows: number;
  exprs: number;
  valid: number;
  failures: FuzzFailure[];
  slowest: { ms: number; n: number };
}
export interface FuzzOptions {
  /** The built package's dist/ directory (the worker loads the loader from there). */
  dist: string;
  corpus: CorpusFile[];
  seed: number;
  flows?: number;
  exprs?: number;
  /** Per-input time budget; an input that takes longer is a hang. */
  budgetMs?: number;
  /** Stop early at this time (ms since the epoch). */
  deadline?: number;
  firstCase?: number;
  onProgress?: (stats: FuzzStats) => void;
}
export function runFuzz(o: FuzzOptions): Promise<FuzzStats>;
export function flowVerdict(answer: object, file: string): string | undefined;
export function describeFailure(f: FuzzFailure, max?: number): string;
