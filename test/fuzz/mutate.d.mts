/** Types of mutate.mjs (plain JavaScript, shared with bench/fuzz-soak.mjs). */
export interface CorpusFile {
  /** Path relative to the repository. */
  name: string;
  text: string;
}
export interface FuzzCase {
  bytes: Buffer;
  /** The mutations applied, in order. */
  ops: string[];
  /** The corpus file mutated, or `random-flow`. */
  base: string;
}
export function prng(seed: number): () => number;
export function loadCorpus(repo: string): CorpusFile[];
export function fuzzCase(seed: number, n: number, corpus: CorpusFile[]): FuzzCase;
export function exprCase(seed: number, n: number): { src: string; template: string };
