import { getExecutor } from '../../src/executors/index.js';
import { formatDuration } from '../../src/executors/local-process.js';

describe('getExecutor', () => {
  test('local gives the local executor', () => {
    expect(getExecutor('local').name).toBe('local');
  });

  test('batch is not available yet: a FlowctlError a user can act on', () => {
    let err: unknown;
    try {
      getExecutor('batch');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'EXECUTOR_UNAVAILABLE', exitCode: 2 });
    expect((err as Error).message).toMatch(/AWS Batch executor comes in a later release/);
    expect((err as { hint: string }).hint).toMatch(/executor: local/);
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
