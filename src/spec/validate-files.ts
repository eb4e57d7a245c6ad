/** The service behind `flowctl validate`: checks several files and shapes the report. */
import type { Problem } from '../errors.js';
import { validateFlowFile } from './load.js';
import type { FlowSpec } from './types.js';

export interface ProblemReport {
  file: string;
  line?: number;
  col?: number;
  message: string;
  hint?: string;
  rule: string;
}

export interface FileReport {
  file: string;
  valid: boolean;
  problems: ProblemReport[];
}

export interface ValidationReport {
  valid: boolean;
  files: FileReport[];
}

function toReport(file: string, p: Problem): ProblemReport {
  return {
    file: p.loc?.file ?? file,
    ...(p.loc ? { line: p.loc.line, col: p.loc.col } : {}),
    message: p.message,
    ...(p.hint ? { hint: p.hint } : {}),
    rule: p.rule,
  };
}

/**
 * Validates every file (in order) and reports all their problems. `check` adds problems of a
 * valid spec that depend on this machine (e.g. an executor that is not available here).
 * @example (await validateFiles(['flows/train.yaml'])).valid // => true
 */
export async function validateFiles(files: string[], check?: (spec: FlowSpec) => Problem[] | Promise<Problem[]>): Promise<ValidationReport & { problems: Problem[] }> {
  const reports: FileReport[] = [];
  const all: Problem[] = [];
  for (const file of files) {
    const result = await validateFlowFile(file);
    const problems = result.spec && check ? await check(result.spec) : result.problems;
    all.push(...problems);
    reports.push({ file, valid: problems.length === 0, problems: problems.map((p) => toReport(file, p)) });
  }
  return { valid: reports.every((r) => r.valid), files: reports, problems: all };
}
