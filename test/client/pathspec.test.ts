import { parsePathspec } from '../../src/client/pathspec.js';
import { closest, nearby } from '../../src/client/errors.js';
import { mergeTags } from '../../src/client/tags.js';

const ID = '20261126T132857.867Z-vx1m5x';

test.each([
  [undefined, { kind: 'flows' }],
  ['', { kind: 'flows' }],
  ['train', { kind: 'flow', flow: 'train' }],
  ['train/', { kind: 'flow', flow: 'train' }],
  [ID, { kind: 'run', run: { runId: ID } }],
  [`train/${ID}`, { kind: 'run', run: { flow: 'train', runId: ID } }],
  ['train/latest', { kind: 'run', run: { flow: 'train', runId: 'latest' } }],
  [`${ID}/per_fold.fit`, { kind: 'step', run: { runId: ID }, step: 'per_fold.fit' }],
  ['train/latest/fit/2.1.5', { kind: 'task', run: { flow: 'train', runId: 'latest' }, step: 'fit', taskId: '2.1.5' }],
  [`${ID}/fit/0/reports/sub/a.csv`, { kind: 'artifact', run: { runId: ID }, step: 'fit', taskId: '0', path: 'reports/sub/a.csv' }],
])('parsePathspec(%j)', (input, expected) => {
  expect(parsePathspec(input)).toEqual(expected);
});

test.each(['train/fit', 'Tr@in', 'train//x', 'train/latest/../x'])('parsePathspec(%j) is a BAD_PATHSPEC', (input) => {
  expect(() => parsePathspec(input)).toThrow(expect.objectContaining({ code: 'BAD_PATHSPEC', exitCode: 2 }));
});

test('did-you-mean: typos, swaps and prefixes, not unrelated names', () => {
  expect(closest('fitt', ['prepare', 'fit'])).toBe('fit');
  expect(closest('evlauate', ['evaluate', 'fit'])).toBe('evaluate');
  expect(closest('prep', ['prepare', 'split'])).toBe('prepare');
  expect(closest('zzz', ['prepare', 'split'])).toBeUndefined();
  expect(nearby('steps', [], 'x')).toBe('; it has no steps');
  expect(nearby('tasks', Array.from({ length: 25 }, (_, i) => String(i)), '99', { suggest: false })).toMatch(/; tasks: 0, 1, .*, 19, … \(5 more\)$/);
});

test('tags merge: start tags minus removed, plus added, once each', () => {
  expect(mergeTags(['a', 'b'], undefined)).toEqual(['a', 'b']);
  expect(mergeTags(['a', 'b'], { formatVersion: 1, added: ['c', 'a'], removed: ['b'], updatedAt: '' })).toEqual(['a', 'c']);
});
