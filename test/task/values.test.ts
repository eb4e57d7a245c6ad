import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_VALUES_BYTES, parseValuesFile, readValuesFile } from '../../src/task/values.js';
import { tempDirSync } from '../helpers/tmp.js';

describe('parseValuesFile', () => {
  test('JSON values become typed, anything else stays the raw string', () => {
    const text = [
      'folds=[0,1,2]',
      'alpha=0.1',
      'n=-3e2',
      'ok=true',
      'none=null',
      'cfg={"a":{"b":[1,"x"]}}',
      'quoted="  padded "',
      'model=resnet50',
      'path=/tmp/a b',
      'almost=[1,2',
      'single=\'x\'',
      'inf=Infinity',
      'empty=',
      'eq=a=b=c',
    ].join('\n');
    expect(parseValuesFile(text)).toEqual({
      values: {
        folds: [0, 1, 2],
        alpha: 0.1,
        n: -300,
        ok: true,
        none: null,
        cfg: { a: { b: [1, 'x'] } },
        quoted: '  padded ',
        model: 'resnet50',
        path: '/tmp/a b',
        almost: '[1,2',
        single: "'x'",
        inf: 'Infinity',
        empty: '',
        eq: 'a=b=c',
      },
      problems: [],
    });
  });

  test('blank lines and comments are ignored; whitespace around name and value is dropped', () => {
    const { values, problems } = parseValuesFile('\n# a comment\n   \n  # indented comment\n  acc = 0.93  \nmsg =  hello world \n');
    expect(values).toEqual({ acc: 0.93, msg: 'hello world' });
    expect(problems).toEqual([]);
  });

  test('later lines win', () => {
    expect(parseValuesFile('x=1\ny=2\nx="two"').values).toEqual({ x: 'two', y: 2 });
  });

  test('CRLF and a BOM are tolerated', () => {
    const { values, problems } = parseValuesFile('\uFEFFa=1\r\nb=text\r\nc=[1]\r\n');
    expect(values).toEqual({ a: 1, b: 'text', c: [1] });
    expect(problems).toEqual([]);
  });

  test('bad lines are reported with their line number, the good ones kept', () => {
    const { values, problems } = parseValuesFile('good=1\njust some text\n2fast=1\nbad-name=3\n=4\n_ok_9=5');
    expect(values).toEqual({ good: 1, _ok_9: 5 });
    expect(problems).toEqual([
      'line 2: expected name=value, got "just some text"',
      'line 3: "2fast" is not a valid value name (letters, digits and _, not starting with a digit)',
      'line 4: "bad-name" is not a valid value name (letters, digits and _, not starting with a digit)',
      'line 5: "" is not a valid value name (letters, digits and _, not starting with a digit)',
    ]);
  });

  test('a value named __proto__ is an ordinary own value, not a prototype', () => {
    const { values } = parseValuesFile('__proto__={"polluted":true}\nconstructor=1');
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
    expect(Object.keys(values)).toEqual(['__proto__', 'constructor']);
    expect((values as { polluted?: boolean }).polluted).toBeUndefined();
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  test('an empty file has no values', () => {
    expect(parseValuesFile('')).toEqual({ values: {}, problems: [] });
  });
});

describe('readValuesFile', () => {
  let dir: string;
  beforeEach(() => (dir = tempDirSync('flowctl-values-')));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file means no values', async () => {
    expect(await readValuesFile(join(dir, 'values'))).toEqual({ values: {}, problems: [] });
  });

  test('reads and parses the file', async () => {
    writeFileSync(join(dir, 'values'), 'folds=[0,1,2]\nbad line\n');
    expect(await readValuesFile(join(dir, 'values'))).toEqual({
      values: { folds: [0, 1, 2] },
      problems: ['line 2: expected name=value, got "bad line"'],
    });
  });

  test('only a regular file is read: a directory, a FIFO, a symlink (to a secret or to /dev/zero) is a problem', async () => {
    const notRegular = (what: string) => ({ values: {}, problems: [`FLOW_VALUES must be a regular file written by the task, not ${what}`] });
    expect(await readValuesFile(dir)).toEqual(notRegular('a directory'));
    writeFileSync(join(dir, 'secret'), 'token=hunter2\n');
    symlinkSync(join(dir, 'secret'), join(dir, 'to-secret'));
    expect(await readValuesFile(join(dir, 'to-secret'))).toEqual(notRegular('a symlink'));
    symlinkSync('/dev/zero', join(dir, 'zero'));
    expect(await readValuesFile(join(dir, 'zero'))).toEqual(notRegular('a symlink'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    expect(await readValuesFile(join(dir, 'fifo'))).toEqual(notRegular('a FIFO')); // and it did not block
  });

  test('a file over the size limit is reported, not read', async () => {
    const big = join(dir, 'big');
    writeFileSync(big, '');
    truncateSync(big, MAX_VALUES_BYTES + 1);
    const r = await readValuesFile(big);
    expect(r.values).toEqual({});
    expect(r.problems[0]).toMatch(/FLOW_VALUES is 16777217 bytes; values are limited to 16777216/);
  });
});
