import { parseExpression, type Expr } from '../../../src/spec/expr/index.js';
import { ev, expectExprError } from './helpers.js';

/** The AST without offsets, to compare shapes. */
function shape(e: Expr): unknown {
  switch (e.type) {
    case 'literal':
      return e.value;
    case 'array':
      return { array: e.items.map(shape) };
    case 'path':
      return { path: [e.root, ...e.segments] };
    case 'index':
      return { index: [shape(e.object), shape(e.index)] };
    case 'unary':
      return { [e.op]: shape(e.arg) };
    case 'binary':
      return { [e.op]: [shape(e.left), shape(e.right)] };
    case 'call':
      return { [e.name]: e.args.map(shape) };
  }
}
const p = (s: string): unknown => shape(parseExpression(s));

describe('literals', () => {
  it.each([
    ['null', null],
    ['true', true],
    ['false', false],
    ['0', 0],
    ['42', 42],
    ['3.25', 3.25],
    ['1e3', 1000],
    ['2.5E-2', 0.025],
    ['1e+2', 100],
    ['-7', -7],
    ['-1.5e1', -15],
  ])('%s', (src, value) => {
    expect(p(src)).toEqual(value);
  });

  it('parses strings in both quote styles with every escape', () => {
    expect(p(`'it\\'s'`)).toBe("it's");
    expect(p(`"say \\"hi\\""`)).toBe('say "hi"');
    expect(p(`'a\\\\b'`)).toBe('a\\b');
    expect(p(`'l1\\nl2\\tx\\r'`)).toBe('l1\nl2\tx\r');
    expect(p(`'\\u00e9\\u0041'`)).toBe('éA');
    expect(p(`'\\uD83D\\uDE00'`)).toBe('😀');
    expect(p(`"it's"`)).toBe("it's");
    expect(p(`'say "hi"'`)).toBe('say "hi"');
    expect(p(`''`)).toBe('');
  });

  it('parses array literals, nested and empty', () => {
    expect(p(`[1, 'a', item, [true, null], -2]`)).toEqual({ array: [1, 'a', { path: ['item'] }, { array: [true, null] }, -2] });
    expect(p('[]')).toEqual({ array: [] });
  });

  it('keeps a negated non-literal as a unary node', () => {
    expect(p('-params.x')).toEqual({ '-': { path: ['params', 'x'] } });
    expect(p('--1')).toBe(1);
  });

  it('records offsets of literals', () => {
    expect(parseExpression('  -12 ')).toMatchObject({ type: 'literal', value: -12, start: 2, end: 5 });
    expect(parseExpression(`run.id == 'ab'`)).toMatchObject({ right: { start: 10, end: 14 } });
  });
});

describe('paths', () => {
  it('collects dot and literal index segments', () => {
    expect(p('steps.split.values.folds')).toEqual({ path: ['steps', 'split', 'values', 'folds'] });
    expect(p(`item[0]['a b'].c[12]`)).toEqual({ path: ['item', 0, 'a b', 'c', 12] });
    expect(p('run.id')).toEqual({ path: ['run', 'id'] });
    expect(p('items[1]')).toEqual({ path: ['items', 1] });
    expect(p('params')).toEqual({ path: ['params'] });
  });

  it('allows hyphens in member names (step names have them) but not in root names', () => {
    expect(p('steps.my-step.values.count')).toEqual({ path: ['steps', 'my-step', 'values', 'count'] });
    expect(p('item-1')).toEqual({ '-': [{ path: ['item'] }, 1] });
    expect(p('params.n - 1')).toEqual({ '-': [{ path: ['params', 'n'] }, 1] });
  });

  it('records the span of the whole path', () => {
    expect(parseExpression('1 + item.a[0]')).toMatchObject({ right: { type: 'path', start: 4, end: 13 } });
  });

  it('makes a computed index an index node', () => {
    expect(p('item[params.i]')).toEqual({ index: [{ path: ['item'] }, { path: ['params', 'i'] }] });
    expect(p('item[params.i].name')).toEqual({ index: [{ index: [{ path: ['item'] }, { path: ['params', 'i'] }] }, 'name'] });
    expect(p('fromJSON(params.s).a[0]')).toEqual({ index: [{ index: [{ fromJSON: [{ path: ['params', 's'] }] }, 'a'] }, 0] });
    expect(p('[1, 2][0]')).toEqual({ index: [{ array: [1, 2] }, 0] });
  });

  it('keeps a parenthesized path a path', () => {
    expect(p('(params.obj).a')).toEqual({ path: ['params', 'obj', 'a'] });
  });
});

describe('calls', () => {
  it.each([
    ['range(3)', { range: [3] }],
    ['range(1, 4)', { range: [1, 4] }],
    ['len(item.tags)', { len: [{ path: ['item', 'tags'] }] }],
    [`contains(params.list, 2)`, { contains: [{ path: ['params', 'list'] }, 2] }],
    [`startsWith('ab', 'a')`, { startsWith: ['ab', 'a'] }],
    [`endsWith('ab', 'b')`, { endsWith: ['ab', 'b'] }],
    [`join(item.tags, '-')`, { join: [{ path: ['item', 'tags'] }, '-'] }],
    [`join(item.tags)`, { join: [{ path: ['item', 'tags'] }] }],
    ['toJSON(item)', { toJSON: [{ path: ['item'] }] }],
    [`fromJSON('[1]')`, { fromJSON: ['[1]'] }],
    ['len(range(2 + 1))', { len: [{ range: [{ '+': [2, 1] }] }] }],
  ])('%s', (src, tree) => {
    expect(p(src)).toEqual(tree);
  });
});

describe('precedence and associativity', () => {
  it.each([
    ['a || b && c', 'params.a || params.b && params.c', { '||': [{ path: ['params', 'a'] }, { '&&': [{ path: ['params', 'b'] }, { path: ['params', 'c'] }] }] }],
    ['a && b || c', 'params.a && params.b || params.c', { '||': [{ '&&': [{ path: ['params', 'a'] }, { path: ['params', 'b'] }] }, { path: ['params', 'c'] }] }],
    ['1 + 2 * 3 == 7', '1 + 2 * 3 == 7', { '==': [{ '+': [1, { '*': [2, 3] }] }, 7] }],
    ['!a == b', '!params.a == params.b', { '==': [{ '!': { path: ['params', 'a'] } }, { path: ['params', 'b'] }] }],
    ['comparison over equality', '1 < 2 == true', { '==': [{ '<': [1, 2] }, true] }],
    ['left assoc -', '10 - 4 - 3', { '-': [{ '-': [10, 4] }, 3] }],
    ['left assoc /', '8 / 4 / 2', { '/': [{ '/': [8, 4] }, 2] }],
    ['% with *', '7 % 4 * 2', { '*': [{ '%': [7, 4] }, 2] }],
    ['parentheses', '(1 + 2) * 3', { '*': [{ '+': [1, 2] }, 3] }],
    ['unary over postfix', '-item.lr', { '-': { path: ['item', 'lr'] } }],
    ['!= and >=', 'run.id != "x" && 2 >= 1', { '&&': [{ '!=': [{ path: ['run', 'id'] }, 'x'] }, { '>=': [2, 1] }] }],
  ])('%s', (_name, src, tree) => {
    expect(p(src)).toEqual(tree);
  });
});

describe('syntax errors point at the exact offset', () => {
  it.each([
    ['', 0, 'empty expression'],
    ['(1 + 2))', 7, "unexpected ')'"],
    [')', 0, "unexpected ')'"],
    ["'abc", 0, 'unterminated string'],
    ['1 + "ab', 4, 'unterminated string'],
    ["'ab\\", 0, 'unterminated string'],
    ['true && ', 8, "expected an expression after '&&'"],
    ['(true &&)', 8, "expected an expression after '&&'"],
    ['1 +', 3, "expected an expression after '+'"],
    ['!', 1, "expected an expression after '!'"],
    ['foo', 0, "unknown name 'foo' (expressions can use params, steps, item, items, run)"],
    ['1 + itme', 4, "unknown name 'itme' (did you mean 'item'?)"],
    ['True', 0, "did you mean 'true'?"],
    ['lenn(item)', 0, "unknown function 'lenn' (did you mean 'len'?)"],
    ['1 + eval(x)', 4, "unknown function 'eval'"],
    ['len', 0, "'len' is a function"],
    ['len()', 0, 'len() takes 1 argument, got 0'],
    ['range(1, 2, 3)', 12, 'range() takes 1 or 2 arguments, got 3'],
    ['params.x(1)', 8, 'only built-in functions can be called'],
    ['run.id = 1', 7, "use '==' to compare"],
    ['true & false', 5, "use '&&'"],
    ['true | false', 5, "use '||'"],
    ['1 # 2', 2, "unexpected character '#'"],
    ['params.', 7, "expected a name after '.'"],
    ['params. x', 7, "expected a name after '.'"],
    ['item[0', 6, "expected ']'"],
    ['(1 + 2', 6, "expected ')'"],
    ['[1 2]', 3, "expected ',' or ']'"],
    ['[1, ]', 4, "expected an expression after ','"],
    ['len(1 2)', 6, "expected ',' or ')'"],
    ['item[-1]', 5, 'an index must be a non-negative integer'],
    ['item[1.5]', 5, 'an index must be a non-negative integer'],
    ['item[true]', 5, 'an index must be a number or a string'],
    ['0x10', 0, "invalid number '0x'"],
    ['1e', 0, 'exponent needs digits'],
    ["'\\q'", 1, "unknown escape '\\q'"],
    ["'\\u12G4'", 1, "'\\u' needs 4 hex digits"],
    ['1e999', 0, 'number is too large'],
    ['params.a params.b', 9, "unexpected name 'params'"],
    ['1 2', 2, 'unexpected number 2'],
  ])('%j → offset %i', (src, index, message) => {
    expectExprError(() => parseExpression(src), index, message);
  });

  it('refuses absurdly deep nesting with a message instead of a stack overflow', () => {
    expectExprError(() => parseExpression('('.repeat(500) + '1' + ')'.repeat(500)), 100, 'nested too deeply');
    expect(p('('.repeat(50) + '1' + ')'.repeat(50))).toBe(1);
  });

  it('refuses a chain of operators too long to evaluate (found by the fuzzer: 5,000 × `1 +` overflowed the stack at run time)', () => {
    for (const chain of [Array(5000).fill('1').join(' + '), Array(20_000).fill('x').join(' && ').replace(/x/g, 'true'), `[${Array(300).fill('1').join(' * ')}]`]) {
      expectExprError(() => parseExpression(chain), chain.startsWith('[') ? 1 : 0, 'too long or nested too deeply (more than 250 levels');
    }
    expect(ev(Array(200).fill('1').join(' + '))).toBe(200);
    expect(ev(`${'('.repeat(99)}${Array(150).fill('1').join(' + ')}${')'.repeat(99)}`)).toBe(150);
  });

  it('never evaluates code while parsing', () => {
    expectExprError(() => parseExpression('process.exit(1)'), 0, "unknown name 'process'");
    expectExprError(() => parseExpression('constructor.constructor("x")()'), 0, "unknown name 'constructor'");
  });
});
