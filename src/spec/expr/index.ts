/** The `${{ … }}` expression language: parse, check references, evaluate, render. */
export type { Expr, ExprContext, ExprRef, Template, TemplateExpr } from './ast.js';
export { ExprError } from './ast.js';
export { parseExpression, EXPR_ROOTS } from './parse.js';
export { BUILTIN_NAMES, MAX_RANGE } from './builtins.js';
export { evaluate } from './evaluate.js';
export { parseTemplate, isWholeExpression, renderTemplate, isExprError } from './template.js';
export { shellQuote } from './shell-quote.js';
export { collectRefs } from './refs.js';
export { isTruthy, deepEqual, renderValue, typeName } from './values.js';
export { formatPath } from './lookup.js';
