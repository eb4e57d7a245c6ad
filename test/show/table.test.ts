import { cell, renderFields, renderTable, shouldColor } from '../../src/term/table.js';
import { bytes, runDuration } from '../../src/browse/format.js';
import { isBinary } from '../../src/browse/show-service.js';

test('columns align on the widest cell; right-aligned numbers; no trailing spaces', () => {
  expect(renderTable(['NAME', 'N', 'NOTE'], [['a', '1', ''], ['longer', '100', 'x']], { align: ['left', 'right'] })).toBe(
    'NAME      N  NOTE\n' +
    'a         1\n' +
    'longer  100  x');
});

test('colour only when asked; widths ignore escape codes', () => {
  const t = renderTable(['S'], [['ok']], { color: true, style: (s) => `\u001b[32m${s}\u001b[39m` });
  expect(t).toBe('\u001b[1mS\u001b[22m\n\u001b[32mok\u001b[39m');
  expect(shouldColor({ isTTY: false }, {})).toBe(false);
  expect(shouldColor({ isTTY: true }, {})).toBe(true);
  expect(shouldColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
});

test('cells and fields', () => {
  expect(cell(null)).toBe('-');
  expect(cell('line1\nline2')).toBe('line1 line2');
  expect(cell({ a: 1 })).toBe('{"a":1}');
  expect(renderFields([['run', 'x'], ['namespace', 'y']])).toBe('run        x\nnamespace  y');
});

test('sizes, running durations and binary sniffing', () => {
  expect([bytes(0), bytes(1023), bytes(1536), bytes(5 * 2 ** 20)]).toEqual(['0 B', '1023 B', '1.5 KiB', '5.0 MiB']);
  const run = { durationMs: null, state: 'running', stale: false, startedAt: new Date(1000).toISOString() } as never;
  expect(runDuration(run, 13_000)).toBe('12.0s+');
  expect(isBinary(Buffer.from('plain text é\n'))).toBe(false);
  expect(isBinary(Buffer.from([0x68, 0x00, 0x69]))).toBe(true);
  expect(isBinary(Buffer.from([0xff, 0xfe, 0x41]))).toBe(true);
  expect(isBinary(Buffer.from('é').subarray(0, 1))).toBe(false); // a character cut at the chunk's end
});
