import { evaluate, parseExpression, type ExprContext, MAX_RANGE } from '../../../src/spec/expr/index.js';
import { ctx, ev, expectExprError } from './helpers.js';

describe('literals and paths', () => {
  it('evaluates literals and arrays', () => {
    expect(ev('null')).toBeNull();
    expect(ev(`[1, 'a', item.lr, [true]]`)).toEqual([1, 'a', 0.5, [true]]);
    expect(ev('-params.alpha')).toBe(-0.1);
  });

  it('reads params, step values, item, items and run', () => {
    expect(ev('params.alpha')).toBe(0.1);
    expect(ev('params.nothing')).toBeNull();
    expect(ev('params.obj["b c"]')).toBe(2);
    expect(ev('steps.split.values.folds')).toEqual([0, 1, 2]);
    expect(ev('steps.split.values.folds[2]')).toBe(2);
    expect(ev('steps.split.values.meta.best')).toBe('x');
    expect(ev('steps.split.state')).toBe('succeeded');
    expect(ev('steps.my-step.values.count')).toBe(2);
    expect(ev(`steps['my-step'].values.count`)).toBe(2);
    expect(ev('item.lr')).toBe(0.5);
    expect(ev('item.tags[1]')).toBe('b');
    expect(ev('items[0].tags[0]')).toBe('a');
    expect(ev('run.id')).toBe('r-123');
    expect(ev('run.flow')).toBe('train');
  });

  it('treats a null item as defined (only undefined means "outside a foreach")', () => {
    expect(ev('item', { ...ctx, item: null })).toBeNull();
    expect(ev('item', { ...ctx, item: 0 })).toBe(0);
  });

  it('evaluates computed indexes', () => {
    expect(ev('params.list[params.i]')).toBe(2);
    expect(ev('item.tags[len(item.tags) - 1]')).toBe('b');
    expect(ev(`params.obj['a']`)).toBe(1);
    expect(ev(`item['l' + 'r']`)).toBe(0.5);
    expect(ev('fromJSON(\'{"a": [5, 6]}\').a[1]')).toBe(6);
    expect(ev('[10, 20, 30][params.i + 1]')).toBe(30);
  });
});

describe('lookup errors are explicit, never a silent null', () => {
  const noForeach: ExprContext = { params: {}, steps: {}, run: { id: 'r', flow: 'f' } };
  it.each([
    ['params.alpah', ctx, 0, /unknown param 'alpah' \(did you mean 'alpha'\?\); the flow's params are: alpha, folds/],
    ['params.x', noForeach, 0, /unknown param 'x'.*\(none\)/],
    ['1 + steps.splt.values.folds', ctx, 4, /step 'splt' is not available here \(did you mean 'split'\?\): only steps listed in needs/],
    ['steps.split.values.fold', ctx, 0, /step 'split' has no value 'fold' \(did you mean 'folds'\?\); it set: folds, meta .*FLOW_VALUES/],
    ['item', noForeach, 0, /'item' is only defined in a step with foreach/],
    ['items[0]', noForeach, 0, /'items' is only defined in a step with foreach/],
    ['params.folds-1', ctx, 0, /unknown param 'folds-1'.*to subtract, put spaces around '-'/],
    ['item.lr-1', ctx, 0, /item has no key 'lr-1'.*to subtract, put spaces around '-'/],
    ['item.foo', ctx, 0, /item has no key 'foo'; its keys are: lr, tags/],
    ['item.LR', ctx, 0, /did you mean 'lr'/],
    ['run.user', ctx, 0, /run has no key 'user'; its keys are: id, flow/],
    ['item.tags[5]', ctx, 0, /index 5 is out of range: item.tags has 2 items/],
    ['item.tags.length', ctx, 0, /item.tags is a list: index it with a number.*use len\(item.tags\)/],
    ['item[0]', ctx, 0, /item is an object: index it with a string key, not number/],
    ['params.alpha.x', ctx, 0, /cannot read "x" of params.alpha: it is number/],
    ['params.nothing[0]', ctx, 0, /it is null/],
    ['params.list[-1 + 0]', ctx, 0, /index -1 is out of range/],
    ['params.list[params.alpha]', ctx, 0, /index 0.1 is out of range/],
    ['params.list[params.name]', ctx, 0, /params.list is a list: index it with a number, not string "demo"/],
    ['params.obj[params.i]', ctx, 0, /params.obj is an object: index it with a string key/],
  ])('%s', (src, context, index, message) => {
    expectExprError(() => ev(src, context), index, message);
  });
});

describe('operators', () => {
  it.each([
    ['1 + 2 * 3 == 7', true],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['8 / 4 / 2', 1],
    ['7 / 2', 3.5],
    ['7 % 4', 3],
    ['-7 % 4', -3],
    ['2 * -3', -6],
    ['params.folds - 1', 2],
    ['item.lr -1 == item.lr - 1', true],
    [`'ab' + 'cd'`, 'abcd'],
    [`run.flow + '-' + run.id`, 'train-r-123'],
    ['1 == 1', true],
    [`1 == '1'`, false],
    ['null == false', false],
    ['0 == false', false],
    [`'' == null`, false],
    ['[1, [2]] == [1, [2]]', true],
    ['[1, 2] == [2, 1]', false],
    [`fromJSON('{"a":1,"b":[2]}') == fromJSON('{"b":[2],"a":1}')`, true],
    [`fromJSON('{"a":1}') == fromJSON('{"a":1,"b":2}')`, false],
    ['item == items[0]', true],
    [`1 != '1'`, true],
    ['[1] != [1]', false],
    ['1 < 2', true],
    ['2 <= 2', true],
    ['3 > 4', false],
    ['4 >= 5', false],
    [`'abc' < 'abd'`, true],
    [`'b' >= 'a'`, true],
    ['params.folds > 1', true],
    ['!true', false],
    ['!null', true],
    ['!0', true],
    [`!''`, true],
    ['![]', true],
    ['![0]', false],
    [`!'0'`, false],
    ['!params.obj', false],
    ['!!params.name', true],
    ['!params.flag == false', true],
  ])('%s → %j', (src, value) => {
    expect(ev(src)).toEqual(value);
  });

  it('&& and || return a boolean decided by truthiness', () => {
    expect(ev(`'a' && 'b'`)).toBe(true);
    expect(ev(`'a' && ''`)).toBe(false);
    expect(ev(`0 || 'x'`)).toBe(true);
    expect(ev('[] || null')).toBe(false);
    expect(ev('params.flag || params.empty')).toBe(true);
    expect(ev('true || false && false')).toBe(true);
  });

  it('&& and || short-circuit: the other side is not evaluated', () => {
    expect(ev('false && params.missing')).toBe(false);
    expect(ev('true || 1 / 0')).toBe(true);
    expectExprError(() => ev('true && params.missing'), 8, "unknown param 'missing'");
  });

  it.each([
    ['1 + "a"', 0, "'+' needs two numbers or two strings, got number and string"],
    ['null + 1', 0, "'+' needs two numbers or two strings, got null and number"],
    ['[1] + [2]', 0, 'got list and list'],
    [`'a' - 'b'`, 0, "'-' needs two numbers, got string and string"],
    ['true * 2', 0, "'*' needs two numbers, got boolean and number"],
    ['params.obj / 2', 0, "'/' needs two numbers, got object and number"],
    [`5 % '2'`, 0, "'%' needs two numbers, got number and string"],
    ['1 / 0', 4, "division by zero in '/'"],
    ['2 + 5 % (1 - 1)', 8, "division by zero in '%'"],
    ['1e308 * 10', 0, "the result of '*' is too large"],
    [`1 < '2'`, 0, "'<' compares two numbers or two strings, got number and string"],
    ['null <= 1', 0, "'<=' compares two numbers or two strings, got null and number"],
    ['true > false', 0, "'>' compares two numbers or two strings, got boolean and boolean"],
    ['[1] >= [0]', 0, "'>=' compares two numbers or two strings, got list and list"],
    [`-'a'`, 0, "unary '-' needs a number, got string"],
    ['1 + (2 + params.name)', 4, "'+' needs two numbers or two strings, got number and string"],
  ])('%s is a type error at %i', (src, index, message) => {
    expectExprError(() => ev(src), index, message);
  });
});

describe('built-in functions', () => {
  it.each([
    ['range(3)', [0, 1, 2]],
    ['range(0)', []],
    ['range(-2)', []],
    ['range(2, 5)', [2, 3, 4]],
    ['range(-1, 1)', [-1, 0]],
    ['range(5, 2)', []],
    ['range(params.folds)', [0, 1, 2]],
    [`len('héllo')`, 5],
    [`len('😀')`, 1],
    ['len(item.tags)', 2],
    ['len(params.obj)', 2],
    ['len([])', 0],
    ['contains(params.list, 2)', true],
    [`contains(params.list, '2')`, false],
    ['contains([[1], [2]], [2])', true],
    [`contains('hello', 'ell')`, true],
    [`contains('hello', 'L')`, false],
    [`startsWith(run.id, 'r-')`, true],
    [`startsWith('abc', 'B')`, false],
    [`endsWith('model.json', '.json')`, true],
    [`endsWith('model.json', '.csv')`, false],
    [`join(item.tags, ', ')`, 'a, b'],
    ['join([1, true, null, "s", [2], fromJSON(\'{"a":1}\')])', '1,true,,s,[2],{"a":1}'],
    [`join([])`, ''],
    ['toJSON(item)', '{"lr":0.5,"tags":["a","b"]}'],
    [`toJSON('a"b')`, '"a\\"b"'],
    ['toJSON(null)', 'null'],
    [`fromJSON('[1, {"a": null}]')`, [1, { a: null }]],
    [`fromJSON('"x"')`, 'x'],
    [`fromJSON(toJSON(steps.split.values)) == steps.split.values`, true],
  ])('%s → %j', (src, value) => {
    expect(ev(src)).toEqual(value);
  });

  it.each([
    [`range('3')`, 6, 'range() needs integers, got string'],
    ['range(1.5)', 6, 'range() needs integers, got number'],
    ['range(0, null)', 9, 'range() needs integers, got null'],
    [`range(${MAX_RANGE + 1})`, 0, `range() of ${MAX_RANGE + 1} items is too large`],
    ['len(3)', 4, 'len() needs a string, list or object, got number'],
    ['len(null)', 4, 'got null'],
    ['contains(3, 3)', 9, 'contains() needs a list or a string as its first argument, got number'],
    [`contains('123', 2)`, 16, 'contains() needs a string to look for in a string, got number'],
    ['startsWith(1, "a")', 11, 'startsWith() needs a string, got number'],
    [`startsWith('a', null)`, 16, 'startsWith() needs a string prefix, got null'],
    ['endsWith(["a"], "a")', 9, 'endsWith() needs a string, got list'],
    [`endsWith('a', 1)`, 14, 'endsWith() needs a string suffix, got number'],
    [`join('ab', ',')`, 5, 'join() needs a list, got string'],
    ['join([1], 0)', 10, 'join() needs a string separator, got number'],
    ['fromJSON(1)', 9, 'fromJSON() needs a string, got number'],
    [`fromJSON('{oops')`, 9, 'fromJSON(): invalid JSON'],
  ])('%s fails at %i', (src, index, message) => {
    expectExprError(() => ev(src), index, message);
  });
});

describe('evaluate on hand-built ASTs', () => {
  it('rejects an unknown root or function that bypassed the parser', () => {
    expectExprError(() => evaluate({ type: 'path', root: 'process', segments: ['env'], start: 3, end: 9 }, ctx), 3, "unknown name 'process'");
    expectExprError(() => evaluate({ type: 'call', name: 'eval', args: [], start: 2, end: 8 }, ctx), 2, "unknown function 'eval'");
  });

  it('does not reach prototype properties through paths', () => {
    expectExprError(() => ev('params.constructor'), 0, "unknown param 'constructor'");
    expectExprError(() => ev('item.__proto__'), 0, "item has no key '__proto__'");
    expectExprError(() => ev('steps.toString'), 0, "step 'toString' is not available");
    expect(parseExpression('item.hasOwnProperty').type).toBe('path');
  });
});
