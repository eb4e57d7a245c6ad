/**
 * On-demand tokenizer for the expression language. The parser pulls one token at a
 * time (one token of lookahead), which lets it ask for a member name right after a `.`:
 * member names may contain `-` (`steps.my-step.values.x`, as in GitHub Actions) while
 * everywhere else `-` is the minus operator, so `item-1` still means `item - 1`.
 */
import { ExprError } from './ast.js';

export type TokenKind = 'number' | 'string' | 'name' | 'punct' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Raw source text of the token ('' at end of input). */
  text: string;
  /** Decoded value of a number or string literal. */
  value?: number | string;
  start: number;
  end: number;
}

// Longest first, so `<=` wins over `<`.
const PUNCTUATION = ['==', '!=', '<=', '>=', '&&', '||', '(', ')', '[', ']', ',', '.', '<', '>', '!', '+', '-', '*', '/', '%'];

// Single characters that are close to an operator; a targeted message beats "unexpected '='".
const NEAR_MISSES: Record<string, string> = {
  '=': "unexpected '=' (use '==' to compare)",
  '&': "unexpected '&' (use '&&' for logical and)",
  '|': "unexpected '|' (use '||' for logical or)",
};

const ESCAPES: Record<string, string> = { "'": "'", '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r' };

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isNameStart = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isNameChar = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

/** Describes a token for error messages: `')'`, `name 'foo'`, `end of expression`. */
export function describeToken(tok: Token): string {
  switch (tok.kind) {
    case 'eof':
      return 'end of expression';
    case 'name':
      return `name '${tok.text}'`;
    case 'number':
      return `number ${tok.text}`;
    case 'string':
      return `string ${tok.text}`;
    default:
      return `'${tok.text}'`;
  }
}

export class Lexer {
  private pos = 0;

  constructor(private readonly src: string) {}

  /** The next token, skipping whitespace. */
  next(): Token {
    this.skipSpace();
    const start = this.pos;
    const c = this.src[start];
    if (c === undefined) return { kind: 'eof', text: '', start, end: start };
    if (isDigit(c)) return this.number();
    if (c === "'" || c === '"') return this.string(c);
    if (isNameStart(c)) {
      let end = start + 1;
      while (isNameChar(this.src[end])) end++;
      return this.take('name', end);
    }
    const punct = PUNCTUATION.find((p) => this.src.startsWith(p, start));
    if (punct) return this.take('punct', start + punct.length);
    throw new ExprError(NEAR_MISSES[c] ?? `unexpected character '${c}'`, start);
  }

  /**
   * A member name directly after `.` (no whitespace in between). Unlike root names it
   * may contain `-`, because step and value names do.
   */
  memberName(): Token {
    const start = this.pos;
    if (!isNameStart(this.src[start])) throw new ExprError("expected a name after '.'", start);
    let end = start + 1;
    while (isNameChar(this.src[end]) || this.src[end] === '-') end++;
    return this.take('name', end);
  }

  private take(kind: TokenKind, end: number, value?: number | string): Token {
    const start = this.pos;
    this.pos = end;
    return { kind, text: this.src.slice(start, end), value, start, end };
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  /** JSON-like numbers: `12`, `1.5`, `2e-3`. A sign is the unary minus operator. */
  private number(): Token {
    const start = this.pos;
    let end = start;
    while (isDigit(this.src[end])) end++;
    // `1.` followed by a non-digit is the number 1 and a member access, as in `[1, 2].x`.
    if (this.src[end] === '.' && isDigit(this.src[end + 1])) {
      end++;
      while (isDigit(this.src[end])) end++;
    }
    if (this.src[end] === 'e' || this.src[end] === 'E') {
      let exp = end + 1;
      if (this.src[exp] === '+' || this.src[exp] === '-') exp++;
      if (!isDigit(this.src[exp])) throw new ExprError('invalid number: the exponent needs digits', start);
      while (isDigit(this.src[exp])) exp++;
      end = exp;
    }
    // `0x10`, `3px`: reject instead of splitting into a number and a name.
    if (isNameChar(this.src[end])) throw new ExprError(`invalid number '${this.src.slice(start, end + 1)}'`, start);
    const value = Number(this.src.slice(start, end));
    if (!Number.isFinite(value)) throw new ExprError('number is too large', start);
    return this.take('number', end, value);
  }

  private string(quote: string): Token {
    const start = this.pos;
    let i = start + 1;
    let out = '';
    for (;;) {
      const c = this.src[i];
      if (c === undefined) throw new ExprError('unterminated string', start);
      if (c === quote) break;
      if (c !== '\\') {
        out += c;
        i++;
        continue;
      }
      const e = this.src[i + 1];
      if (e === 'u') {
        const hex = this.src.slice(i + 2, i + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw new ExprError("invalid escape: '\\u' needs 4 hex digits", i);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (e !== undefined && ESCAPES[e] !== undefined) {
        out += ESCAPES[e];
        i += 2;
      } else if (e === undefined) {
        throw new ExprError('unterminated string', start);
      } else {
        throw new ExprError(`unknown escape '\\${e}' in string (write '\\\\' for a backslash)`, i);
      }
    }
    return this.take('string', i + 1, out);
  }
}
