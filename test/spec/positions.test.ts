import { parseText } from '../../src/spec/read-yaml.js';
import { locAt, locInValue, pointerToPath } from '../../src/spec/positions.js';

function src(text: string) {
  const r = parseText('f.yaml', '/f.yaml', text, 'h');
  if (!r.source) throw new Error('bad yaml');
  return r.source;
}

const at = (l: { line: number; col: number }) => `${l.line}:${l.col}`;

describe('positions', () => {
  const s = src([
    'steps:',                          // 1
    '  fit:',                          // 2
    '    needs: [a, b]',               // 3
    '    run: echo ${{ x }}',          // 4
    "    env: { A: 'q ${{ y }}' }",    // 5
    '    cmd: |',                      // 6
    '      first line',                // 7
    '      second ${{ z }}',           // 8
    '    folded: >-',                  // 9
    '      one',                       // 10
    '      two ${{ w }}',              // 11
    '',
  ].join('\n'));

  it('decodes JSON pointers', () => {
    expect(pointerToPath('/steps/a~1b/0')).toEqual(['steps', 'a/b', '0']);
    expect(pointerToPath('')).toEqual([]);
  });

  it('points at values, keys, and list items', () => {
    expect(at(locAt(s, ['steps', 'fit']))).toBe('2:3');
    expect(at(locAt(s, ['steps', 'fit', 'needs', 1]))).toBe('3:16');
    expect(at(locAt(s, ['steps', 'fit', 'needs'], { key: true }))).toBe('3:5');
    expect(at(locAt(s, ['steps', 'fit', 'nope', 'deeper']))).toBe('2:3');
  });

  it('maps offsets inside plain, quoted, literal and folded strings', () => {
    expect(at(locInValue(s, ['steps', 'fit', 'run'], 'echo ${{ '.length))).toBe('4:19');
    expect(at(locInValue(s, ['steps', 'fit', 'env', 'A'], 'q ${{ '.length))).toBe('5:22');
    expect(at(locInValue(s, ['steps', 'fit', 'cmd'], 'first line\nsecond ${{ '.length))).toBe('8:18');
    expect(at(locInValue(s, ['steps', 'fit', 'folded'], 'one two ${{ '.length))).toBe('11:15');
  });
});
