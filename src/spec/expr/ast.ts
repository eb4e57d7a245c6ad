/**
 * AST of the `${{ … }}` expression language (DESIGN.md §1). Pure data; the parser
 * lives in parse.ts and the evaluator in evaluate.ts. `start`/`end` are character
 * offsets into the expression source (the text between `${{` and `}}`), used to point
 * errors at the right column.
 */
export type Expr =
  | { type: 'literal'; value: null | boolean | number | string; start: number; end: number }
  | { type: 'array'; items: Expr[]; start: number; end: number }
  /** `params.alpha`, `steps.split.values.folds`, `item.lr`, `item[0]`, `run.id`. */
  | { type: 'path'; root: string; segments: Array<string | number>; start: number; end: number }
  /** `x[expr]` where the index is computed. */
  | { type: 'index'; object: Expr; index: Expr; start: number; end: number }
  | { type: 'unary'; op: '!' | '-'; arg: Expr; start: number; end: number }
  | {
      type: 'binary';
      op: '==' | '!=' | '<' | '<=' | '>' | '>=' | '&&' | '||' | '+' | '-' | '*' | '/' | '%';
      left: Expr;
      right: Expr;
      start: number;
      end: number;
    }
  /** Built-in function call: range, len, contains, startsWith, endsWith, join, toJSON, fromJSON. */
  | { type: 'call'; name: string; args: Expr[]; start: number; end: number };

/** A string that may embed expressions: `node fit.mjs --fold ${{ item }}`. */
export interface Template {
  /** Literal text and embedded expressions in order. */
  parts: Array<string | TemplateExpr>;
}

export interface TemplateExpr {
  expr: Expr;
  /** The expression source text (between the braces). */
  source: string;
  /** Offset of the expression source within the template string. */
  offset: number;
}

/** A reference found in an expression, for semantic checks (unknown params/steps/values). */
export interface ExprRef {
  root: string;
  segments: Array<string | number>;
  start: number;
  end: number;
}

/** What an expression sees of one upstream step. */
export interface StepValues {
  values: Record<string, unknown>;
  state?: string;
  /**
   * What any value name not in `values` reads as, when no task could have set it: a fanned-out
   * step none of whose tasks succeeded (an empty list, every item skipped) has one null per
   * task (`[]` for an empty list). Undefined: an unknown name is an error (a typo).
   */
  unsetValue?: unknown[];
}

/** What an expression can see when evaluated. */
export interface ExprContext {
  params: Record<string, unknown>;
  /** Upstream steps visible to this task: values, and the step's state. A fanned-out step's values are arrays in item order. */
  steps: Record<string, StepValues>;
  /** The current foreach item (innermost), undefined outside a foreach. */
  item?: unknown;
  /** Items of every enclosing foreach, outermost first. */
  items?: unknown[];
  run: { id: string; flow: string };
}

export class ExprError extends Error {
  readonly code = 'EXPR_ERROR';
  /** Offset in the expression source where the problem starts. */
  readonly index: number;
  constructor(message: string, index: number) {
    super(message);
    this.name = 'ExprError';
    this.index = index;
  }
}
