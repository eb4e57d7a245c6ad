import { LineSplitter, type LineSplitterOptions } from '../../src/executors/line-splitter.js';
import { makeMasker } from '../../src/task/mask.js';

const mask = (s: string): string => s.replaceAll('hunter2', '***');

/** Feed `chunks`, return what the file got and the lines onLine got. */
function run(chunks: Array<Buffer | string>, opts: LineSplitterOptions = {}): { file: Buffer; lines: string[]; writes: number } {
  const written: Buffer[] = [];
  const lines: string[] = [];
  const s = new LineSplitter((b) => written.push(Buffer.from(b)), (l) => lines.push(l), opts);
  for (const c of chunks) s.push(typeof c === 'string' ? Buffer.from(c) : c);
  s.end();
  return { file: Buffer.concat(written), lines, writes: written.length };
}

describe.each([
  ['plain', {}],
  ['masked', { mask }],
])('LineSplitter (%s)', (_name, opts: LineSplitterOptions) => {
  test('lines split across chunks, several lines per chunk, final line without newline', () => {
    const { file, lines } = run(['al', 'pha\nbe', 'ta\ngamma\n\ndel', 'ta'], opts);
    expect(file.toString()).toBe('alpha\nbeta\ngamma\n\ndelta');
    expect(lines).toEqual(['alpha', 'beta', 'gamma', '', 'delta']);
  });

  test('a multi-byte character cut between chunks is decoded whole', () => {
    const bytes = Buffer.from('héllo wörld\n');
    const { file, lines } = run([bytes.subarray(0, 2), bytes.subarray(2, 9), bytes.subarray(9)], opts);
    expect(file.equals(bytes)).toBe(true);
    expect(lines).toEqual(['héllo wörld']);
  });

  test('CRLF: the file keeps \\r, onLine drops it; \\r-redrawn progress shows its last state', () => {
    const { file, lines } = run(['a\r\nb\r\n10%\r50%\r100%\n'], opts);
    expect(file.toString()).toBe('a\r\nb\r\n10%\r50%\r100%\n');
    expect(lines).toEqual(['a', 'b', '100%']);
  });

  test('binary bytes round-trip exactly', () => {
    const bin = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const { file } = run([bin.subarray(0, 1000), bin.subarray(1000)], opts);
    expect(file.equals(bin)).toBe(true);
  });

  test('onLine sees at most maxLogLineChars of a long line, marked as truncated', () => {
    const { file, lines } = run(['y'.repeat(50), 'y'.repeat(50), '\nshort\n'], { ...opts, maxLogLineChars: 10 });
    expect(file.toString()).toBe(`${'y'.repeat(100)}\nshort\n`);
    expect(lines).toEqual([`${'y'.repeat(10)}… [line truncated]`, 'short']);
  });

  test('nothing in, nothing out', () => {
    expect(run([], opts)).toEqual({ file: Buffer.alloc(0), lines: [], writes: 0 });
  });
});

describe('LineSplitter masking', () => {
  test('a secret split across chunks is still masked', () => {
    const { file, lines } = run(['key=hun', 'ter2\n'], { mask });
    expect(file.toString()).toBe('key=***\n');
    expect(lines).toEqual(['key=***']);
  });

  test('a secret in a binary (invalid UTF-8) line is masked and every other byte kept', () => {
    const line = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(' hunter2 '), Buffer.from([0xc3]), Buffer.from('\n')]);
    const { file } = run([line], { mask });
    expect(file.equals(Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(' *** '), Buffer.from([0xc3]), Buffer.from('\n')]))).toBe(true);
  });

  test('a binary line in the same chunk does not stop a non-ASCII secret on the next line from being masked', () => {
    const m = (s: string): string => s.replaceAll('pässwörd', '***');
    const { file, lines } = run([Buffer.concat([Buffer.from([0xff, 0x0a]), Buffer.from('x pässwörd\ny\n')])], { mask: m });
    expect(file.equals(Buffer.concat([Buffer.from([0xff, 0x0a]), Buffer.from('x ***\ny\n')]))).toBe(true);
    expect(lines).toEqual(['\ufffd', 'x ***', 'y']);
  });

  test('an over-long line is cut at a space, so a secret near the cut stays whole and masked', () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i} hunter2`).join(' ');
    const { file, lines } = run([words, '\n'], { mask, maxLineBytes: 100 });
    expect(file.toString()).toBe(`${mask(words)}\n`);
    expect(lines).toHaveLength(1); // the continuation pieces are not extra lines
    expect(lines[0]).toMatch(/… \[line truncated\]$/);
  });

  test('an over-long line with no space is cut at the limit; memory stays bounded', () => {
    const writes: number[] = [];
    const s = new LineSplitter((b) => writes.push(b.length), undefined, { mask, maxLineBytes: 1000 });
    for (let i = 0; i < 100; i++) s.push(Buffer.alloc(500, 0x61));
    s.end();
    expect(writes.reduce((a, b) => a + b, 0)).toBe(50_000);
    expect(Math.max(...writes)).toBeLessThanOrEqual(1000);
  });

  test('one write per chunk, not per line', () => {
    const { writes } = run(['a\nb\nc\nd\n', 'e\nf\n'], { mask });
    expect(writes).toBe(2);
  });

  describe('with the run masker and a multi-line secret', () => {
    const secret = 'first-line-AAAA\nsecond-line-BBBB\nthird-line-CCCC';
    const m = makeMasker([secret]);
    const opts: LineSplitterOptions = { mask: m.text, maskCut: m.safeCut };
    const leaks = (out: string) => ['first-line', 'second-line', 'third-line', 'AAAA', 'BBBB', 'CCCC'].filter((p) => out.includes(p));

    test('its lines printed one write at a time are each masked', () => {
      const { file, lines } = run(['first-line-AAAA\n', 'second-line-BBBB\n', 'third-line-CCCC\n'], opts);
      expect(file.toString()).toBe('***\n***\n***\n');
      expect(lines).toEqual(['***', '***', '***']);
    });

    test('written in small pieces across chunks, with CRLF, and without a final newline', () => {
      const text = 'x first-line-AAAA y\r\nsecond-line-BBBB\r\nthird-line-CCCC';
      const chunks = text.match(/.{1,3}/gs)!;
      const { file, lines } = run(chunks, opts);
      expect(file.toString()).toBe('x *** y\r\n***\r\n***');
      expect(lines).toEqual(['x *** y', '***', '***']);
    });

    test('every way to cut the whole value into two writes masks it', () => {
      const text = `pre ${secret} post\n`;
      for (let i = 1; i < text.length; i++) {
        const { file, lines } = run([text.slice(0, i), text.slice(i)], opts);
        expect(leaks(file.toString() + lines.join('\n'))).toEqual([]);
      }
    });

    test('an over-long line without spaces is never cut inside a secret', () => {
      for (const at of [90, 95, 99, 100, 101, 110]) {
        const line = `${'z'.repeat(at - 8)}second-line-BBBB${'z'.repeat(300)}\n`;
        const { file } = run([line], { ...opts, maxLineBytes: 100 });
        expect(leaks(file.toString())).toEqual([]);
        expect(file.toString()).toBe(`${'z'.repeat(at - 8)}***${'z'.repeat(300)}\n`);
      }
    });
  });
});
