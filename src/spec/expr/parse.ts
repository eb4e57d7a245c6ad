/**
 * Precedence-climbing parser for `${{ … }}` expressions. Nothing here evaluates code:
 * the output is a plain AST (ast.ts) and every syntax error is an ExprError with the
 * offset of the offending character, so the loader can report file:line:col.
 */
import { type Expr, ExprError } from './ast.js';
import { BUILTINS, BUILTIN_NAMES, isBuiltin } from './builtins.js';
import { describeToken, Lexer, type Token } from './lexer.js';
import { didYouMean } from './suggest.js';

/** The names an expression may start a path with. */
export const EXPR_ROOTS: readonly string[] = ['params', 'steps', 'item', 'items', 'run'];

type BinaryOp = Extract<Expr, { type: 'binary' }>['op'];

/** Binding strength of each binary operator; all are left associative. */
const PRECEDENCE: Record<BinaryOp, number> = {
  '||': 1,
  '&&': 2,
  '==': 3,
  '!=': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

const KEYWORDS: Record<string, null | boolean> = { null: null, true: true, false: false };

// Deep nesting (`((((…` or `!!!!…`) would otherwise end in a stack overflow, a crash not a message.
const MAX_DEPTH = 100;
// The tree's depth, which a long chain `1 + 1 + … + 1` grows too (one level per operator), though
// it parses in a loop: evaluating and checking it recurse once per level.
const MAX_TREE_DEPTH = 250;

/** ExprError when the AST is deeper than MAX_TREE_DEPTH (checked without recursion). */
function checkTreeDepth(root: Expr): void {
  const stack: Array<[Expr, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [e, depth] = stack.pop()!;
    if (depth > MAX_TREE_DEPTH) {
      throw new ExprError(`expression is too long or nested too deeply (more than ${MAX_TREE_DEPTH} levels of operators, calls and brackets)`, e.start);
    }
    const children = e.type === 'array' ? e.items : e.type === 'call' ? e.args : e.type === 'unary' ? [e.arg]
      : e.type === 'binary' ? [e.left, e.right] : e.type === 'index' ? [e.object, e.index] : [];
    // Leftmost first, so the place reported is the first that gets too deep, reading left to right.
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, depth + 1]);
  }
}

/**
 * Parses the text between `${{` and `}}`. Node offsets are relative to `source`.
 * @example parseExpression('params.folds > 1')
 */
export function parseExpression(source: string): Expr {
  return new Parser(source).parseAll();
}

class Parser {
  private readonly lexer: Lexer;
  private tok: Token;
  private depth = 0;

  constructor(private readonly src: string) {
    this.lexer = new Lexer(src);
    this.tok = this.lexer.next();
  }

  parseAll(): Expr {
    if (this.tok.kind === 'eof') throw new ExprError('empty expression', this.tok.start);
    const expr = this.parseBinary(1);
    if (!this.atEnd()) throw new ExprError(`unexpected ${describeToken(this.tok)}`, this.tok.start);
    checkTreeDepth(expr);
    return expr;
  }

  // A method, not an inline check: TS would keep the narrowing of `this.tok` across calls.
  private atEnd(): boolean {
    return this.tok.kind === 'eof';
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.lexer.next();
    return t;
  }

  private isPunct(text: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === text;
  }

  private expect(text: string, context: string): Token {
    if (!this.isPunct(text)) throw new ExprError(`expected '${text}' ${context}, found ${describeToken(this.tok)}`, this.tok.start);
    return this.advance();
  }

  /** `after` is the token before the operand, so a missing operand can be named precisely. */
  private parseBinary(minPrec: number, after?: Token): Expr {
    let left = this.parseUnary(after);
    for (;;) {
      const op = this.tok.text as BinaryOp;
      const prec = this.tok.kind === 'punct' ? PRECEDENCE[op] : undefined;
      if (prec === undefined || prec < minPrec) return left;
      const opTok = this.advance();
      const right = this.parseBinary(prec + 1, opTok);
      left = { type: 'binary', op, left, right, start: left.start, end: right.end };
    }
  }

  private parseUnary(after?: Token): Expr {
    if (++this.depth > MAX_DEPTH) throw new ExprError('expression is nested too deeply', this.tok.start);
    try {
      if (this.isPunct('!') || this.isPunct('-')) {
        const opTok = this.advance();
        const arg = this.parseUnary(opTok);
        // Fold `-2` into a literal so literal lists like [1, -2] stay plain data.
        if (opTok.text === '-' && arg.type === 'literal' && typeof arg.value === 'number') {
          return { type: 'literal', value: -arg.value, start: opTok.start, end: arg.end };
        }
        return { type: 'unary', op: opTok.text as '!' | '-', arg, start: opTok.start, end: arg.end };
      }
      return this.parsePostfix(this.parsePrimary(after));
    } finally {
      this.depth--;
    }
  }

  private parsePrimary(after?: Token): Expr {
    const t = this.tok;
    if (t.kind === 'number' || t.kind === 'string') {
      this.advance();
      return { type: 'literal', value: t.value!, start: t.start, end: t.end };
    }
    if (t.kind === 'name') return this.parseName();
    if (this.isPunct('(')) {
      const open = this.advance();
      const inner = this.parseBinary(1, open);
      const close = this.expect(')', "to close '('");
      return { ...inner, start: open.start, end: close.end };
    }
    if (this.isPunct('[')) return this.parseArray();
    if (after) throw new ExprError(`expected an expression after '${after.text}'`, t.start);
    throw new ExprError(`unexpected ${describeToken(t)}`, t.start);
  }

  private parseName(): Expr {
    const t = this.advance();
    const name = t.text;
    if (Object.hasOwn(KEYWORDS, name)) return { type: 'literal', value: KEYWORDS[name]!, start: t.start, end: t.end };
    if (this.isPunct('(')) return this.parseCall(t);
    if (EXPR_ROOTS.includes(name)) return { type: 'path', root: name, segments: [], start: t.start, end: t.end };
    if (isBuiltin(name)) throw new ExprError(`'${name}' is a function: call it as ${BUILTINS[name]!.usage}`, t.start);
    const hint = didYouMean(name, [...EXPR_ROOTS, ...Object.keys(KEYWORDS), ...BUILTIN_NAMES]);
    throw new ExprError(`unknown name '${name}'${hint} (expressions can use ${EXPR_ROOTS.join(', ')})`, t.start);
  }

  private parseCall(nameTok: Token): Expr {
    const name = nameTok.text;
    const fn = BUILTINS[name];
    if (!isBuiltin(name) || !fn) {
      const hint = didYouMean(name, BUILTIN_NAMES);
      throw new ExprError(`unknown function '${name}'${hint}; the functions are: ${BUILTIN_NAMES.join(', ')}`, nameTok.start);
    }
    const args = this.parseList(this.advance(), ')', 'arguments');
    const close = this.advance();
    if (args.length < fn.min || args.length > fn.max) {
      const at = args.length > fn.max ? args[fn.max]!.start : nameTok.start;
      throw new ExprError(`${name}() takes ${arity(fn.min, fn.max)}, got ${args.length}: use ${fn.usage}`, at);
    }
    return { type: 'call', name, args, start: nameTok.start, end: close.end };
  }

  private parseArray(): Expr {
    const open = this.advance();
    const items = this.parseList(open, ']', 'list items');
    const close = this.advance();
    return { type: 'array', items, start: open.start, end: close.end };
  }

  /** Comma-separated expressions after the consumed `open`, up to (not consuming) `close`. */
  private parseList(open: Token, close: string, what: string): Expr[] {
    const items: Expr[] = [];
    if (this.isPunct(close)) return items;
    let after = open;
    for (;;) {
      items.push(this.parseBinary(1, after));
      if (this.isPunct(close)) return items;
      if (!this.isPunct(',')) throw new ExprError(`expected ',' or '${close}' between ${what}, found ${describeToken(this.tok)}`, this.tok.start);
      after = this.advance();
    }
  }

  /** `.name`, `[index]` after a primary. Literal indexes extend a path; others make an index node. */
  private parsePostfix(node: Expr): Expr {
    for (;;) {
      if (this.isPunct('.')) {
        // Ask the lexer for a member name now (before reading a normal token), since it may contain '-'.
        const nameTok = this.lexer.memberName();
        this.tok = this.lexer.next();
        const key: Expr = { type: 'literal', value: nameTok.text, start: nameTok.start, end: nameTok.end };
        node = this.extend(node, key, nameTok.end);
      } else if (this.isPunct('[')) {
        const open = this.advance();
        const index = this.parseBinary(1, open);
        const close = this.expect(']', "to close '['");
        if (index.type === 'literal') checkLiteralIndex(index);
        node = this.extend(node, index, close.end);
      } else if (this.isPunct('(')) {
        throw new ExprError('only built-in functions can be called', this.tok.start);
      } else {
        return node;
      }
    }
  }

  private extend(node: Expr, index: Expr, end: number): Expr {
    if (node.type === 'path' && index.type === 'literal') {
      return { ...node, segments: [...node.segments, index.value as string | number], end };
    }
    return { type: 'index', object: node, index, start: node.start, end };
  }
}

function checkLiteralIndex(index: Extract<Expr, { type: 'literal' }>): void {
  const v = index.value;
  if (typeof v === 'string') return;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return;
  const what = typeof v === 'number' ? 'a non-negative integer' : 'a number or a string';
  throw new ExprError(`an index must be ${what}, got ${JSON.stringify(v)}`, index.start);
}

function arity(min: number, max: number): string {
  const n = (k: number): string => `${k} argument${k === 1 ? '' : 's'}`;
  return min === max ? n(min) : `${min} or ${n(max)}`;
}
