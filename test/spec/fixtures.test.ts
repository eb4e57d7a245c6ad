/**
 * Every invalid fixture names its expected problem on its first line:
 *   # expect: LINE:COL message fragment
 * and must produce a problem at exactly that place whose message contains the fragment.
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { loadFlow, validateFlowFile } from '../../src/spec/load.js';
import { tempDirSync } from '../helpers/tmp.js';

const INVALID = 'test/fixtures/invalid';
const VALID = 'test/fixtures/valid';

interface Expectation {
  file: string;
  line: number;
  col: number;
  fragment: string;
}

function expectation(file: string): Expectation {
  const first = readFileSync(file, 'utf8').split('\n')[0]!;
  const m = /^# expect: (\d+):(\d+) (.+)$/.exec(first);
  if (!m) throw new Error(`${file}: first line must be '# expect: LINE:COL fragment'`);
  return { file, line: Number(m[1]), col: Number(m[2]), fragment: m[3]! };
}

const invalid = readdirSync(INVALID).filter((f) => f.endsWith('.yaml')).sort().map((f) => expectation(join(INVALID, f)));
const valid = readdirSync(VALID).filter((f) => f.endsWith('.yaml')).sort();

describe('invalid fixtures', () => {
  it('there are at least 35 of them', () => {
    expect(invalid.length).toBeGreaterThanOrEqual(35);
  });

  it.each(invalid.map((e) => [e.file, e] as const))('%s', async (_, e) => {
    const { spec, problems } = await validateFlowFile(e.file);
    expect(spec).toBeUndefined();
    const shown = problems.map((p) => `${p.loc?.line}:${p.loc?.col} ${p.message}`);
    expect(shown).toEqual(expect.arrayContaining([expect.stringContaining(`${e.line}:${e.col} `)]));
    const hit = problems.find((p) => p.loc?.line === e.line && p.loc.col === e.col && p.message.includes(e.fragment));
    if (!hit) throw new Error(`expected ${e.line}:${e.col} ${e.fragment}\ngot:\n${shown.join('\n')}`);
    for (const p of problems) {
      expect(p.loc?.file).toBe(e.file);
      expect(p.rule).toMatch(/^[a-z-]+$/);
    }
  });

  it('loadFlow throws FLOW_INVALID with every problem', async () => {
    const err = await loadFlow(join(INVALID, 'cycle.yaml')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FLOW_INVALID', exitCode: 2 });
    expect((err as { problems: unknown[] }).problems.length).toBeGreaterThan(0);
    expect((err as Error).message).toContain('cycle.yaml:6:3: cycle in needs: a -> c -> b -> a');
  });
});

describe('valid fixtures', () => {
  it.each(valid)('%s', async (f) => {
    const { spec, problems } = await validateFlowFile(join(VALID, f));
    expect(problems).toEqual([]);
    expect(spec?.version).toBe(1);
  });
});

describe('files that are not flows', () => {
  const dir = tempDirSync('flowctl-spec-');

  const only = async (file: string) => {
    const { spec, problems } = await validateFlowFile(file);
    expect(spec).toBeUndefined();
    expect(problems).toHaveLength(1);
    return problems[0]!;
  };

  it('a missing file', async () => {
    const p = await only(join(dir, 'nope.yaml'));
    expect(p).toMatchObject({ rule: 'file', loc: { line: 1, col: 1 } });
    expect(p.message).toContain('no such file');
  });

  it('a directory', async () => {
    mkdirSync(join(dir, 'flows.yaml'));
    expect((await only(join(dir, 'flows.yaml'))).message).toContain('is a directory');
  });

  it('10 MB of random bytes: one message, quickly', async () => {
    const file = join(dir, 'garbage.yaml');
    writeFileSync(file, randomBytes(10 * 1024 * 1024));
    const started = Date.now();
    const p = await only(file);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(p.message).toContain('too large');
  });

  it('a small binary file', async () => {
    const file = join(dir, 'binary.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from('version: 1\nname: x'), Buffer.from([0, 1, 2, 255])]));
    const p = await only(file);
    expect(p.message).toContain('NUL');
    expect(p.loc).toMatchObject({ line: 2, col: 8 });
  });

  it('text that is not UTF-8', async () => {
    const file = join(dir, 'latin1.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from('version: 1\nname: caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const p = await only(file);
    expect(p.message).toContain('UTF-8');
    expect(p.loc).toMatchObject({ line: 2, col: 10 });
  });

  it('a file of comments only is empty', async () => {
    const file = join(dir, 'comments.yaml');
    writeFileSync(file, '# nothing here\n\n');
    expect((await only(file)).message).toContain('empty');
  });

  it('a scalar top level', async () => {
    const file = join(dir, 'scalar.yaml');
    writeFileSync(file, 'just a string\n');
    expect((await only(file)).message).toContain('must be a mapping');
  });

  it('reports problems of several kinds at once', async () => {
    const file = join(dir, 'many.yaml');
    writeFileSync(file, [
      'version: 1',
      'name: many',
      'steps:',
      '  a:',
      '    run: echo ${{ params.nope }}',
      '    timeout: 10 minutes',
      '  b:',
      '    needs: [a, c]',
      '    run: echo',
      '    nedds: []',
      '',
    ].join('\n'));
    const { problems } = await validateFlowFile(file);
    expect(problems.map((p) => p.rule).sort()).toEqual(['duration', 'unknown-key', 'unknown-need', 'unknown-param']);
    // In file order.
    expect(problems.map((p) => p.loc!.line)).toEqual([5, 6, 8, 10]);
  });
});
