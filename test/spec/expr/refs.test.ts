import { collectRefs, parseExpression, parseTemplate, type TemplateExpr } from '../../../src/spec/expr/index.js';

const refs = (src: string): Array<[string, ...Array<string | number>]> => collectRefs(parseExpression(src)).map((r) => [r.root, ...r.segments]);

describe('collectRefs', () => {
  it('returns every path in source order', () => {
    expect(refs('params.a > 1 && steps.s.values.v == item.x || run.id != items[0]')).toEqual([
      ['params', 'a'],
      ['steps', 's', 'values', 'v'],
      ['item', 'x'],
      ['run', 'id'],
      ['items', 0],
    ]);
  });

  it('finds paths inside calls, arrays, unary operators and indexes', () => {
    expect(refs('!contains([params.a, 1], len(steps.split.values.folds))')).toEqual([
      ['params', 'a'],
      ['steps', 'split', 'values', 'folds'],
    ]);
    expect(refs('steps.s.values[params.key].x')).toEqual([
      ['steps', 's', 'values'],
      ['params', 'key'],
    ]);
    expect(refs('item[params.i]')).toEqual([['item'], ['params', 'i']]);
  });

  it('returns nothing for literals', () => {
    expect(refs(`1 + 2 == 3 && 'a' != null`)).toEqual([]);
    expect(refs('range(3)')).toEqual([]);
  });

  it('gives offsets that point at the path in the source, and in a template with the part offset', () => {
    const src = '1 + params.alpha * 2';
    const [r] = collectRefs(parseExpression(src));
    expect(src.slice(r!.start, r!.end)).toBe('params.alpha');
    const raw = 'fit --lr ${{ steps.tune.values.lr }}';
    const part = parseTemplate(raw).parts[1] as TemplateExpr;
    const [t] = collectRefs(part.expr);
    expect(raw.slice(part.offset + t!.start, part.offset + t!.end)).toBe('steps.tune.values.lr');
  });

  it('returns copies, so callers cannot mutate the AST', () => {
    const expr = parseExpression('params.a');
    collectRefs(expr)[0]!.segments.push('x');
    expect(collectRefs(expr)[0]!.segments).toEqual(['a']);
  });
});
