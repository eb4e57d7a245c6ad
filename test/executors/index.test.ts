import { ExecutorSet, executorKindOf, runsOnThisMachine, unavailableReason } from '../../src/executors/index.js';
import { makeMasker } from '../../src/task/mask.js';
import { formatDuration } from '../../src/executors/local-process.js';

describe('executors by kind', () => {
  test('a step runs locally unless it names an image (container) or executor: batch', () => {
    expect(executorKindOf({ executor: 'local' })).toBe('local');
    expect(executorKindOf({ executor: 'local', image: 'python:3.12' })).toBe('container');
    expect(executorKindOf({ executor: 'batch', image: 'python:3.12' })).toBe('batch');
    expect(runsOnThisMachine('batch')).toBe(false);
    expect(runsOnThisMachine('container')).toBe(true);
  });

  test('unavailable kinds say why and what to do; asking the set for one throws', async () => {
    expect(await unavailableReason('local')).toBeUndefined();
    expect(await unavailableReason('batch')).toMatchObject({ message: expect.stringMatching(/AWS Batch/), hint: expect.stringMatching(/executor: local/) });
    const set = new ExecutorSet({ store: {} as never, masker: makeMasker([]), scratchName: 'x' });
    expect(() => set.get('batch')).toThrow(/AWS Batch/);
  });
});

test.each([
  [500, '500ms'],
  [1000, '1s'],
  [1500, '1.5s'],
  [2000, '2s'],
  [59_990, '1m'],
  [90_000, '1m30s'],
  [900_000, '15m'],
  [5_400_000, '1h30m'],
  [3_600_000, '1h'],
])('formatDuration(%d) = %s', (ms, text) => {
  expect(formatDuration(ms)).toBe(text);
});
