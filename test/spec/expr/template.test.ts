import { execFileSync } from 'node:child_process';
import { isWholeExpression, parseTemplate, renderTemplate, type TemplateExpr } from '../../../src/spec/expr/index.js';
import { ctx, expectExprError } from './helpers.js';

const exprs = (raw: string): TemplateExpr[] => parseTemplate(raw).parts.filter((p): p is TemplateExpr => typeof p !== 'string');
const render = (raw: string, quote: boolean, context = ctx): string => renderTemplate(parseTemplate(raw), context, { quote });

describe('parseTemplate', () => {
  it('splits text and several expressions, with offsets into the raw string', () => {
    const raw = 'node fit.mjs --fold ${{ item.lr }} --alpha ${{params.alpha}}!';
    const { parts } = parseTemplate(raw);
    expect(parts.map((p) => (typeof p === 'string' ? p : `<${p.source}>`))).toEqual(['node fit.mjs --fold ', '<item.lr>', ' --alpha ', '<params.alpha>', '!']);
    for (const e of exprs(raw)) expect(raw.slice(e.offset, e.offset + e.source.length)).toBe(e.source);
    expect(exprs(raw).map((e) => e.offset)).toEqual([24, 46]);
    expect(exprs(raw)[0]!.expr).toMatchObject({ type: 'path', root: 'item', segments: ['lr'] });
  });

  it('keeps literal $ text that is not ${{', () => {
    const raw = 'echo $HOME ${USER} $$ costs $5 {{x}} ${ {y} } ${{ run.id }}$';
    expect(parseTemplate(raw).parts[0]).toBe('echo $HOME ${USER} $$ costs $5 {{x}} ${ {y} } ');
    expect(parseTemplate(raw).parts.at(-1)).toBe('$');
    expect(render(raw, false)).toBe('echo $HOME ${USER} $$ costs $5 {{x}} ${ {y} } r-123$');
  });

  it('handles plain strings, empty strings and adjacent expressions', () => {
    expect(parseTemplate('plain text').parts).toEqual(['plain text']);
    expect(parseTemplate('').parts).toEqual([]);
    expect(render('${{ 1 }}${{ 2 }}', false)).toBe('12');
  });

  it('does not end an expression at a }} inside a string literal', () => {
    expect(exprs(`a ${'${{'} '}}' + "}}" }} b`)[0]!.source).toBe(`'}}' + "}}"`);
    expect(render(`a ${'${{'} '}}' + "}}" }} b`, false)).toBe('a }}}} b');
    expect(render(`${'${{'} 'it\\'s }}' }}`, false)).toBe("it's }}");
  });

  it('reports an unterminated ${{ at its start', () => {
    expectExprError(() => parseTemplate('echo ${{ item'), 5, "unterminated '${{' (missing '}}')");
    expectExprError(() => parseTemplate('ok ${{ 1 }} then ${{ 2 }'), 17, "unterminated '${{'");
    expectExprError(() => parseTemplate("echo ${{ 'abc }}"), 9, 'unterminated string');
  });

  it('reports expression errors at offsets relative to the raw string', () => {
    expectExprError(() => parseTemplate('echo ${{ foo }}'), 9, "unknown name 'foo'");
    expectExprError(() => parseTemplate('a ${{ 1 }} b ${{   1 + }}'), 22, "expected an expression after '+'");
    expectExprError(() => parseTemplate('x ${{ }}'), 6, 'empty expression');
    const raw = 'python fit.py \\\n  --lr ${{ item.lr }} \\\n  --n ${{ params.n ) }}';
    expectExprError(() => parseTemplate(raw), raw.indexOf(')'), "unexpected ')'");
  });
});

describe('isWholeExpression', () => {
  it('returns the expression when the whole (trimmed) string is one ${{ }}', () => {
    const e = isWholeExpression('${{ steps.split.values.folds }}');
    expect(e).toMatchObject({ source: 'steps.split.values.folds', offset: 4, expr: { type: 'path', root: 'steps' } });
    expect(isWholeExpression('  ${{ range(3) }}\n')).toMatchObject({ source: 'range(3)', offset: 6 });
  });

  it('returns undefined for text around or between expressions', () => {
    expect(isWholeExpression('fold ${{ item }}')).toBeUndefined();
    expect(isWholeExpression('${{ item }}-x')).toBeUndefined();
    expect(isWholeExpression('${{ item }} ${{ item }}')).toBeUndefined();
    expect(isWholeExpression('${{ item }}${{ item }}')).toBeUndefined();
    expect(isWholeExpression('[1, 2]')).toBeUndefined();
  });

  it('throws on invalid syntax with a raw-relative offset', () => {
    expectExprError(() => isWholeExpression(' ${{ item[ }}'), 10, "expected an expression after '['");
  });
});

describe('renderTemplate', () => {
  it('renders values by type without quoting', () => {
    expect(render('${{ params.name }}|${{ params.folds }}|${{ params.alpha }}|${{ params.flag }}|${{ params.nothing }}', false)).toBe('demo|3|0.1|true|');
    expect(render('${{ params.list }} ${{ item }}', false)).toBe('[1,2,3] {"lr":0.5,"tags":["a","b"]}');
    expect(render("${{ 'a b' }}", false)).toBe('a b');
  });

  it('shell-quotes every substituted value when asked, and only those', () => {
    expect(render("echo '$HOME' ${{ params.name }} ${{ params.folds }}", true)).toBe("echo '$HOME' demo 3");
    expect(render('x ${{ params.nothing }} ${{ params.empty }}', true)).toBe("x '' ''");
    expect(render("${{ 'a b' }} ${{ params.list }}", true)).toBe("'a b' '[1,2,3]'");
    expect(render("${{ \"it's\" }}", true)).toBe(`'it'\\''s'`);
  });

  it('reports evaluation errors at offsets relative to the raw string', () => {
    expectExprError(() => render('fit --fold ${{ 1 }} ${{ item.nope }}', false), 24, "item has no key 'nope'");
    expectExprError(() => render('${{ 1 }} ${{  1 / 0 }}', true), 18, 'division by zero');
  });

  it('refuses a value with a NUL byte', () => {
    expectExprError(() => render('echo ${{ "a\\u0000b" }}', true), 9, 'NUL byte');
    expectExprError(() => render('${{ "\\u0000" }}', false), 4, 'NUL byte');
  });

  it('a hostile param cannot inject a command into run:', () => {
    const hostile = `x'; echo INJECTED; echo '$(echo INJECTED)\`echo INJECTED\`\n"; echo INJECTED #`;
    const command = render("printf '%s' ${{ params.name }}", true, { ...ctx, params: { name: hostile } });
    const out = execFileSync('sh', ['-c', command]).toString();
    expect(out).toBe(hostile);
    // Without quoting the same template runs the injected commands: the quoting is what protects.
    const unquoted = render('printf %s ${{ params.name }}', false, { ...ctx, params: { name: '; echo INJECTED' } });
    expect(execFileSync('sh', ['-c', unquoted]).toString()).toContain('INJECTED\n');
  });
});
