import { closest, didYouMean, editDistance } from '../../src/spec/suggest.js';

describe('suggest', () => {
  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('lcoal', 'local')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it.each([
    ['nedds', ['needs', 'run', 'steps'], 'needs'],
    ['alpah', ['alpha', 'folds'], 'alpha'],
    ['prep', ['prepare', 'fit'], 'prepare'],
    ['Fit', ['fit', 'split'], 'fit'],
    ['xyz', ['needs', 'run'], undefined],
    ['a', ['b'], 'b'],
    ['run', ['run'], undefined],
  ])('%s → %s', (word, candidates, want) => {
    expect(closest(word, candidates as string[])).toBe(want);
  });

  it('formats the hint', () => {
    expect(didYouMean('stpes', ['steps'])).toBe(" (did you mean 'steps'?)");
    expect(didYouMean('zzz', ['steps'])).toBe('');
  });
});
