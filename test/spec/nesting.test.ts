/**
 * The nesting pre-check (src/spec/nesting.ts): refuses what no flow needs before the YAML
 * parser spends seconds and a gigabyte on it, and never refuses a real flow.
 */
import { readFileSync } from 'node:fs';
import { parseText } from '../../src/spec/read-yaml.js';
import { MAX_NESTING, tooDeepAt } from '../../src/spec/nesting.js';
import { loadCorpus } from '../fuzz/mutate.mjs';
import { REPO } from '../helpers/cli.js';

const flow = (tail: string) => `version: 1\nname: f\nsteps:\n  a: { run: echo }\n${tail}`;

test('the repository\'s flows pass', () => {
  for (const { name, text } of loadCorpus(REPO)) expect({ name, at: tooDeepAt(text) }).toEqual({ name, at: undefined });
});

test.each([
  ['flow sequences', (d: number) => `x: ${'['.repeat(d)}1${']'.repeat(d)}\n`],
  ['flow mappings', (d: number) => `x: ${'{a: '.repeat(d)}1${'}'.repeat(d)}\n`],
  ['compact block sequences', (d: number) => `x:\n  ${'- '.repeat(d)}1\n`],
  ['complex keys', (d: number) => `x:\n  ${'? '.repeat(d)}1\n`],
  ['indented block mappings', (d: number) => `x:\n${Array.from({ length: d }, (_, i) => `${' '.repeat(i + 1)}k${i}:`).join('\n')} 1\n`],
  ['JSON', (d: number) => `x: ${'{"a":\n'.repeat(d)}1${'}'.repeat(d)}\n`],
])('%s: %s levels pass, more are refused where they get too deep', (_, make) => {
  const ok = make(MAX_NESTING - 2);
  expect(tooDeepAt(ok)).toBeUndefined();
  const deep = make(MAX_NESTING + 5);
  const at = tooDeepAt(deep);
  expect(at).toBeGreaterThan(0);
  expect(at).toBeLessThan(deep.length);
});

test('brackets inside quoted scalars, plain scalars, comments and block scalars are not nesting', () => {
  const many = '['.repeat(300);
  expect(tooDeepAt(flow(`x: "${many}"\n`))).toBeUndefined();
  expect(tooDeepAt(flow(`x: '${many} it''s'\n`))).toBeUndefined();
  expect(tooDeepAt(flow(`x: echo ${many}\n`))).toBeUndefined();
  expect(tooDeepAt(flow(`x: 1 # ${many}\n`))).toBeUndefined();
  expect(tooDeepAt(flow(`x: |\n  ${many}\n  ${'{'.repeat(300)}\ny: 1\n`))).toBeUndefined();
  expect(tooDeepAt(flow(`x: >-\n    ${many}\n\n    more\ny: 1\n`))).toBeUndefined();
  expect(tooDeepAt(flow(`x: [a, "${many}", '${many}']\n`))).toBeUndefined();
  expect(tooDeepAt(flow(`x: ${'echo ${{ item }} '.repeat(300)}\n`))).toBeUndefined();
});

test('a quote the scan misreads cannot hide a mile of brackets', () => {
  // `it's` in a flow mapping looks like a quote to the scan; the brackets still count.
  expect(tooDeepAt(flow(`x: { a: b's, c: ${'['.repeat(100_000)}\n`))).toBeDefined();
});

test('`- ` lines inside a flow collection count (the parser nests them as block sequences; found by the fuzzer)', () => {
  const text = `{\n "version": 1,\n "x": [\n  [\n    outputs: - \n${Array.from({ length: 3000 }, (_, i) => `${' '.repeat(i + 5)}- `).join('\n')}1\n`;
  expect(tooDeepAt(text)).toBeDefined();
  const read = parseText('f.yaml', '/f.yaml', text, 'h');
  expect(read.problems).toEqual([expect.objectContaining({ message: expect.stringContaining('nested more than 100 levels') })]);
});

test('\\r and \\r\\n line breaks are line breaks', () => {
  for (const nl of ['\r', '\r\n', '\n\r']) {
    expect(tooDeepAt(`version: 1${nl}x:${nl}  ${'- '.repeat(150)}1${nl}`)).toBeDefined();
    expect(tooDeepAt(`x: |${nl}  ${'['.repeat(300)}${nl}y: 1${nl}`)).toBeUndefined();
  }
});

test('1 MB of nesting is refused at once with a located problem (the YAML parser took ~25 s and 1 GB)', () => {
  for (const [tail, line] of [[`x: ${'['.repeat(1_000_000)}\n`, 5], [`x:\n  ${'- '.repeat(500_000)}1\n`, 6], [`x: ${'{a: '.repeat(250_000)}\n`, 5]] as const) {
    const t0 = performance.now();
    const read = parseText('deep.yaml', '/deep.yaml', flow(tail), 'h');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(read.problems).toEqual([expect.objectContaining({ loc: { file: 'deep.yaml', line, col: expect.any(Number) }, message: expect.stringContaining(`nested more than ${MAX_NESTING} levels`) })]);
  }
});

test('the invalid fixtures for it exist (checked by fixtures.test.ts)', () => {
  expect(readFileSync('test/fixtures/invalid/nesting-flow.yaml', 'utf8')).toMatch(/^# expect: 7:107 /);
});
