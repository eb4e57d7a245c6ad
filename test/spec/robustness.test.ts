/**
 * The loader must never throw on bad input (a throw would reach the user as a stack trace):
 * random flows built from the spec's own keys with values of every wrong type.
 */
import { stringify } from 'yaml';
import { validateSource } from '../../src/spec/load.js';
import { parseText } from '../../src/spec/read-yaml.js';

function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

const STEP_KEYS = ['run', 'steps', 'needs', 'foreach', 'matrix', 'if', 'outputs', 'env', 'image', 'shell', 'executor', 'resources', 'retry', 'timeout', 'catch', 'cache', 'deps', 'description'];
const TOP_KEYS = ['version', 'name', 'description', 'root', 'params', 'defaults', 'steps'];
const NAMES = ['a', 'b', 'c', 'fit', 'Bad', 'x-y', '1'];

function generator(rand: () => number) {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const scalar = (): unknown => pick([
    null, true, 0, -1, 1.5, 3, '', 'x', '5min', '1h30m', '${{ item }}', '${{ params.a }}', '${{ steps.a.values.v }}',
    '${{ bad + }}', 'echo ${{ run.id }}', '${{ a }} ${{ b }}', '../x', '/abs', 'a/./b', 'FLOW_X', '4Gi', 'lcoal', 'bash',
  ]);
  const value = (depth: number): unknown => {
    const r = rand();
    if (depth > 3 || r < 0.5) return scalar();
    if (r < 0.7) return Array.from({ length: Math.floor(rand() * 3) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [pick([...STEP_KEYS, ...NAMES, 'attempts', 'delay', 'cpu', 'memory', 'type', 'default']), value(depth + 1)]));
  };
  const step = (depth: number): unknown => {
    if (rand() < 0.1) return scalar();
    const s: Record<string, unknown> = {};
    for (const k of STEP_KEYS) {
      if (rand() > 0.25) continue;
      if (k === 'steps') s[k] = depth < 3 ? steps(depth + 1) : value(2);
      else if (k === 'needs') s[k] = rand() < 0.5 ? pick(NAMES) : [pick(NAMES), pick(NAMES)];
      else s[k] = value(1);
    }
    if (rand() < 0.7) s.run = rand() < 0.8 ? pick(['echo', 'echo ${{ item }}', 'echo ${{ steps.b.values.v }}', 'x ${{ params.p }}']) : scalar();
    return s;
  };
  const steps = (depth: number): Record<string, unknown> =>
    Object.fromEntries(Array.from({ length: 1 + Math.floor(rand() * 4) }, () => [pick(NAMES), step(depth)]));
  return (): Record<string, unknown> => {
    const flow: Record<string, unknown> = { version: rand() < 0.9 ? 1 : scalar(), name: pick(['f', 'Bad', 1]), steps: steps(0) };
    for (const k of TOP_KEYS) if (rand() < 0.2) flow[k] = value(1);
    if (rand() < 0.5) flow.params = { p: { type: pick(['string', 'integer', 'list', 'float']), default: scalar() }, q: value(1) };
    if (rand() < 0.5) flow.defaults = { retry: value(1), timeout: scalar(), env: value(1), resources: value(1) };
    return flow;
  };
}

describe('robustness', () => {
  it('never throws on 300 random malformed flows, and always says something', () => {
    const gen = generator(prng(42));
    for (let i = 0; i < 300; i++) {
      const text = stringify(gen());
      const read = parseText('fuzz.yaml', '/tmp/fuzz.yaml', text, 'h');
      if (!read.source) continue;
      let result;
      try {
        result = validateSource(read.source);
      } catch (e) {
        throw new Error(`threw on:\n${text}\n${(e as Error).stack}`);
      }
      for (const p of result.problems) {
        expect(p.loc && p.loc.line >= 1 && p.loc.col >= 1).toBe(true);
        expect(p.message).not.toMatch(/undefined|\[object Object\]/);
      }
    }
  });

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

  it('accepts YAML merge keys', () => {
    const read = parseText('f.yaml', '/f.yaml', 'version: 1\nname: f\nx-base: &base { run: echo, retry: 2 }\nsteps:\n  a: { <<: *base, timeout: 5s }\n', 'h');
    // x-base is not a flow key: only that is reported, the merged step is fine.
    expect(validateSource(read.source!).problems.map((p) => p.message)).toEqual(["unknown key 'x-base' in the flow"]);
  });
});
