/** A flow file read and parsed, with what is needed to point problems at line:col. */
import type { Document, LineCounter } from 'yaml';
import type { SourceLoc } from '../errors.js';

export interface FlowSource {
  /** The path as the user gave it; used in every message. */
  file: string;
  /** Absolute path. */
  absPath: string;
  text: string;
  /** sha256 (hex) of the file's bytes. */
  specHash: string;
  doc: Document.Parsed;
  lines: LineCounter;
  /** The document as plain JS data. */
  data: unknown;
}

/** The 1-based line:col of a character offset in the file. */
export function locOfOffset(src: Pick<FlowSource, 'file' | 'lines'>, offset: number): SourceLoc {
  const { line, col } = src.lines.linePos(offset);
  return { file: src.file, line: Math.max(1, line), col: Math.max(1, col) };
}

/** A location for problems about the whole file. */
export function fileLoc(file: string): SourceLoc {
  return { file, line: 1, col: 1 };
}
