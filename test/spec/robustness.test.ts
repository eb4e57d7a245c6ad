/**
 * Inputs that once broke the loader, kept as named cases. The random search for more lives
 * in fuzz.test.ts (it superseded the 300 random flows that were here).
 */
import { jest } from '@jest/globals';
import { validateSource } from '../../src/spec/load.js';
import { parseText } from '../../src/spec/read-yaml.js';

describe('robustness', () => {
  it.each([
    'version: 1\nname: f\nsteps:\n  a: null\n',
    'version: 1\nname: f\nsteps:\n  a: echo\n',
    'version: 1\nname: f\nsteps:\n  a: { run: echo, needs: [null, 1, {x: 1}] }\n',
    'version: 1\nname: f\nparams: [1, 2]\nsteps:\n  a: { run: echo }\n',
    'version: 1\nname: f\nparams:\n  x: null\nsteps:\n  a: { run: echo }\n',
    'version: 1\nname: f\ndefaults: 3\nsteps:\n  a: { run: echo, matrix: [1, 2], foreach: {a: 1} }\n',
    'version: 1\nname: f\nsteps:\n  a: { steps: null }\n',
    'version: 1\nname: f\nsteps:\n  a: { steps: { b: { steps: {} } } }\n',
    'version: 1\nname: f\nsteps:\n  a: { run: "${{ item[steps.b] }}", outputs: [null, 3, "."] }\n',
  ])('reports, does not throw: %j', (text) => {
    const read = parseText('f.yaml', '/f.yaml', text, 'h');
    const { problems } = validateSource(read.source!);
    expect(problems.length).toBeGreaterThan(0);
  });

  // Found by the fuzzer: yaml turned a collection key into text and printed a warning on stderr.
  it.each([
    ['{\n "version": 1,\n "name": "f",\n\t{\n  "x-y": { "run": "echo" }\n }\n}', 4, 2, 'a mapping'],
    ['version: 1\nname: f\nsteps:\n  a: { run: echo, env: { [A, B]: 1 } }\n', 4, 26, 'a list'],
    ['version: 1\nname: f\nx: &k [a]\nsteps:\n  a: { run: echo, env: { *k : 1 } }\n', 5, 26, 'an alias of a list'],
  ])('a key that is a collection is a located problem, not a warning: %j', (text, line, col, what) => {
    const emitWarning = jest.spyOn(process, 'emitWarning');
    try {
      const read = parseText('f.yaml', '/f.yaml', text, 'h');
      expect(read.problems).toEqual([{ loc: { file: 'f.yaml', line, col }, message: `a key must be a plain name, not ${what}`, rule: 'yaml-syntax' }]);
      expect(emitWarning).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
    }
  });

  it('accepts YAML merge keys', () => {
    const read = parseText('f.yaml', '/f.yaml', 'version: 1\nname: f\nx-base: &base { run: echo, retry: 2 }\nsteps:\n  a: { <<: *base, timeout: 5s }\n', 'h');
    // x-base is not a flow key: only that is reported, the merged step is fine.
    expect(validateSource(read.source!).problems.map((p) => p.message)).toEqual(["unknown key 'x-base' in the flow"]);
  });
});
