/**
 * Errors a user can act on. Anything thrown that is not a FlowctlError is a bug and
 * is the only kind that may show a stack trace. Tests check `code`, never `instanceof`
 * (jest module realms make instanceof unreliable).
 */
export const ExitCode = {
  Success: 0,
  StepFailed: 1,
  Usage: 2,
  Interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A position in a source file, 1-based line and column. */
export interface SourceLoc {
  file: string;
  line: number;
  col: number;
}

/** One problem found in a flow file or in user input. */
export interface Problem {
  loc?: SourceLoc;
  message: string;
  hint?: string;
  /** Stable machine-readable kind, e.g. `schema`, `unknown-need`, `cycle`, `expr-syntax`. */
  rule: string;
}

export function formatProblem(p: Problem): string {
  const where = p.loc ? `${p.loc.file}:${p.loc.line}:${p.loc.col}: ` : '';
  return `${where}${p.message}${p.hint ? `\n  hint: ${p.hint}` : ''}`;
}

export class FlowctlError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint?: string;
  constructor(code: string, message: string, opts: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FlowctlError';
    this.code = code;
    this.exitCode = opts.exitCode ?? ExitCode.Usage;
    this.hint = opts.hint;
  }
}

/** A flow file (or several) failed to load or validate; carries every problem found. */
export class FlowInvalidError extends FlowctlError {
  readonly problems: Problem[];
  constructor(problems: Problem[]) {
    super('FLOW_INVALID', problems.map(formatProblem).join('\n'), { exitCode: ExitCode.Usage });
    this.name = 'FlowInvalidError';
    this.problems = problems;
  }
}

export function isFlowctlError(e: unknown): e is FlowctlError {
  return typeof e === 'object' && e !== null && typeof (e as FlowctlError).code === 'string' &&
    typeof (e as FlowctlError).exitCode === 'number' && (e as Error).name?.endsWith('Error');
}
