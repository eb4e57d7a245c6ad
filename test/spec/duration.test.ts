import { readFileSync } from 'node:fs';
import { formatDuration, parseDuration } from '../../src/spec/duration.js';

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['90s', 90_000],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m30s250ms', 90_250],
    ['0s', 0],
    ['90', 90_000],
    ['0.5', 500],
  ] as const)('%s → %i ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it('takes a bare number as seconds', () => {
    expect(parseDuration(90)).toBe(90_000);
    expect(parseDuration(1.5)).toBe(1500);
    expect(parseDuration(0)).toBe(0);
  });

  it.each([
    ['5min', "unknown unit 'min' (did you mean 'm'?)"],
    ['10 minutes', 'remove the spaces'],
    ['1h30', "missing unit after '30'"],
    ['1.5h', 'fractions need the smallest unit'],
    ['', 'empty'],
    ['-5s', 'must not be negative'],
    ['h', "expected a number at 'h'"],
    ['5S', "unknown unit 'S' (did you mean 's'?)"],
    ['5s!', "expected a number at '!'"],
    ['99999999999999999999d', 'too large'],
  ])('%j is rejected: %s', (s, fragment) => {
    expect(() => parseDuration(s)).toThrow(fragment);
  });

  it('rejects negative and non-finite numbers', () => {
    expect(() => parseDuration(-1)).toThrow('negative');
    expect(() => parseDuration(Infinity)).toThrow('finite');
  });

  it('errors carry a code', () => {
    try {
      parseDuration('soon');
    } catch (e) {
      expect((e as { code: string }).code).toBe('DURATION_INVALID');
    }
    expect.assertions(1);
  });

  it('accepts exactly what the schema pattern accepts', () => {
    const schema = JSON.parse(readFileSync('schemas/flow.schema.json', 'utf8'));
    const pattern = new RegExp(schema.$defs.duration.oneOf[0].pattern, 'u');
    for (const s of ['90s', '1h30m', '500ms', '2d', '90', '1.5', '5min', '1h30', '1.5h', '', ' 5s', '5 s', 'ms', '1H', '-1s', '3w']) {
      let parses = true;
      try {
        parseDuration(s);
      } catch {
        parses = false;
      }
      expect([s, pattern.test(s)]).toEqual([s, parses]);
    }
  });
});

describe('formatDuration', () => {
  it.each([[0, '0s'], [250, '250ms'], [5_400_000, '1h30m'], [90_500, '1m30s500ms']] as const)('%i → %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
    expect(parseDuration(s)).toBe(ms);
  });
});
