/**
 * Strings with embedded `${{ … }}` expressions (`run:`, `env:`, `foreach:`). Parsing
 * happens once at load time; rendering happens per task. Every ExprError thrown from
 * here has an offset relative to the raw string, so the loader can map it to line:col.
 */
import { type ExprContext, ExprError, type Template, type TemplateExpr } from './ast.js';
import { evaluate } from './evaluate.js';
import { parseExpression } from './parse.js';
import { shellQuote } from './shell-quote.js';
import { renderValue } from './values.js';

const OPEN = '${{';
const CLOSE = '}}';

/** True for an ExprError, checked by `code` since instanceof is unreliable across jest realms. */
export function isExprError(e: unknown): e is ExprError {
  return typeof e === 'object' && e !== null && (e as ExprError).code === 'EXPR_ERROR' && typeof (e as ExprError).index === 'number';
}

/** Re-throws an ExprError from an expression at `offset` as one relative to the whole string. */
function shifted<T>(offset: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isExprError(e)) throw new ExprError(e.message, e.index + offset);
    throw e;
  }
}

/** Index of the `}}` closing an expression that starts at `from`; `}}` inside a string literal does not count. */
function findClose(raw: string, from: number, open: number): number {
  for (let i = from; i < raw.length; i++) {
    const c = raw[i];
    if (c === "'" || c === '"') {
      const quote = i;
      for (i++; i < raw.length && raw[i] !== c; i++) if (raw[i] === '\\') i++;
      if (i >= raw.length) throw new ExprError('unterminated string', quote);
    } else if (raw.startsWith(CLOSE, i)) {
      return i;
    }
  }
  throw new ExprError(`unterminated '${OPEN}' (missing '${CLOSE}')`, open);
}

/**
 * Splits `raw` into literal text and expressions. A `$` not followed by `{{` is plain text.
 * @example parseTemplate('fit --fold ${{ item }}').parts // => ['fit --fold ', {source: 'item', offset: 15, …}]
 */
export function parseTemplate(raw: string): Template {
  const parts: Template['parts'] = [];
  let i = 0;
  for (;;) {
    const open = raw.indexOf(OPEN, i);
    if (open < 0) break;
    if (open > i) parts.push(raw.slice(i, open));
    const close = findClose(raw, open + OPEN.length, open);
    const inner = raw.slice(open + OPEN.length, close);
    const source = inner.trim();
    // The source is trimmed, so its offset skips the leading whitespace too.
    const offset = open + OPEN.length + (inner.length - inner.trimStart().length);
    const expr = shifted(offset, () => parseExpression(source));
    parts.push({ expr, source, offset });
    i = close + CLOSE.length;
  }
  if (i < raw.length) parts.push(raw.slice(i));
  return { parts };
}

/**
 * The expression when `raw` (ignoring surrounding whitespace) is exactly one `${{ … }}`,
 * so a value like `foreach: ${{ steps.split.values.folds }}` keeps its type (a list)
 * instead of becoming text. Throws ExprError on invalid syntax.
 */
export function isWholeExpression(raw: string): TemplateExpr | undefined {
  const trimmed = raw.trim();
  if (!trimmed.startsWith(OPEN) || !trimmed.endsWith(CLOSE)) return undefined;
  const { parts } = parseTemplate(raw);
  const exprs = parts.filter((p): p is TemplateExpr => typeof p !== 'string');
  const textOnlySpace = parts.every((p) => typeof p !== 'string' || p.trim() === '');
  return exprs.length === 1 && textOnlySpace ? exprs[0] : undefined;
}

/**
 * Substitutes every expression's value (strings as-is, null as '', others as JSON).
 * With `quote`, each value is shell-quoted so it is exactly one inert sh word.
 */
export function renderTemplate(t: Template, ctx: ExprContext, opts: { quote: boolean }): string {
  return t.parts
    .map((part) => {
      if (typeof part === 'string') return part;
      return shifted(part.offset, () => {
        const text = renderValue(evaluate(part.expr, ctx));
        // Neither a command line nor an environment variable can carry a NUL byte.
        if (text.includes('\0')) throw new ExprError('the value contains a NUL byte, which cannot be passed to a command', 0);
        return opts.quote ? shellQuote(text) : text;
      });
    })
    .join('');
}
