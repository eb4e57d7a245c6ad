/**
 * Parses the `${{ … }}` parts of flow values at load time and reports syntax errors at
 * the exact line:col inside the YAML string.
 */
import { type Expr, isExprError, isWholeExpression, parseTemplate, type Template } from './expr/index.js';
import type { TemplateSpec } from './types.js';
import { describePath } from './describe.js';
import type { NormalizeContext } from './normalize-context.js';
import type { DataPath } from './positions.js';

function exprProblem(ctx: NormalizeContext, path: DataPath, e: unknown): void {
  if (!isExprError(e)) throw e;
  ctx.problems.push({
    loc: ctx.locIn(path, e.index),
    message: `expression error in ${describePath(path)}: ${e.message}`,
    rule: 'expr-syntax',
  });
}

/** The template of the string at `path`; on a syntax error, a problem and the raw text as a literal. */
export function templateAt(ctx: NormalizeContext, raw: string, path: DataPath): TemplateSpec {
  let template: Template;
  try {
    template = parseTemplate(raw);
  } catch (e) {
    exprProblem(ctx, path, e);
    template = { parts: [raw] };
  }
  return { template, raw, loc: ctx.loc(path) };
}

/** The single expression that is the whole string at `path`, or undefined (with a problem). */
export function wholeExpressionAt(ctx: NormalizeContext, raw: string, path: DataPath): { expr: Expr; source: string } | undefined {
  try {
    const whole = isWholeExpression(raw);
    if (whole) return { expr: whole.expr, source: whole.source };
    // Same wording as the schema's patternErrorMessage, so the two reports merge into one.
    ctx.problems.push({ loc: ctx.loc(path), message: `${describePath(path)} must be a single \${{ … }} expression`, rule: 'schema' });
  } catch (e) {
    exprProblem(ctx, path, e);
  }
  return undefined;
}
