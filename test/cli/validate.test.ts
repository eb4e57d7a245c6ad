import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { ensureBuilt, flowctl, mapLimit, STACK_LINE } from './helpers.js';
import { tempDirSync } from '../helpers/tmp.js';

const INVALID = 'test/fixtures/invalid';
const VALID = 'test/fixtures/valid';
const invalid = readdirSync(INVALID).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(INVALID, f));
const valid = readdirSync(VALID).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(VALID, f));
/** Valid files whose steps all run on this machine (the others ask for AWS Batch, which is not available: see executors.test.ts). */
const runnableHere = valid.filter((f) => !/image:|executor: batch/.test(readFileSync(f, 'utf8')));

function expectation(file: string): { line: number; col: number; fragment: string } {
  const m = /^# expect: (\d+):(\d+) (.+)$/.exec(readFileSync(file, 'utf8').split('\n')[0]!)!;
  return { line: Number(m[1]), col: Number(m[2]), fragment: m[3]! };
}

interface JsonReport {
  valid: boolean;
  files: Array<{ file: string; valid: boolean; problems: Array<{ file: string; line: number; col: number; message: string; hint?: string; rule: string }> }>;
}

beforeAll(() => ensureBuilt(), 300_000);
// Each test starts real node processes; leave room for a loaded machine.
jest.setTimeout(120_000);

describe('flowctl validate', () => {
  it('prints ok for each valid file and exits 0', async () => {
    const r = await flowctl(['validate', ...runnableHere]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(runnableHere.map((f) => `ok ${f}`));
  });

  it('prints every problem as file:line:col: message with hints, exits 2', async () => {
    const r = await flowctl(['validate', `${INVALID}/unknown-need.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${INVALID}/unknown-need.yaml:8:13: step 'fit' needs 'prep', which is not a step (did you mean 'prepare'?)\n  hint: `);
  });

  it('checks every file, also after an invalid one', async () => {
    const r = await flowctl(['validate', `${INVALID}/cycle.yaml`, `${VALID}/minimal.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe(`ok ${VALID}/minimal.yaml\n`);
    expect(r.stderr).toContain(`${INVALID}/cycle.yaml:6:3: cycle in needs: a -> c -> b -> a`);
  });

  it('--json reports valid files', async () => {
    const r = await flowctl(['validate', '--json', `${VALID}/minimal.yaml`]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ valid: true, files: [{ file: `${VALID}/minimal.yaml`, valid: true, problems: [] }] });
  });

  it('--json: every invalid fixture is invalid with its expected line:col and message; exit 2', async () => {
    const r = await flowctl(['validate', '--json', ...invalid, `${VALID}/minimal.yaml`]);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout) as JsonReport;
    expect(report.valid).toBe(false);
    expect(report.files.map((f) => f.file)).toEqual([...invalid, `${VALID}/minimal.yaml`]);
    expect(report.files.at(-1)).toMatchObject({ valid: true, problems: [] });
    for (const f of report.files.slice(0, -1)) {
      const e = expectation(f.file);
      expect(f.valid).toBe(false);
      for (const p of f.problems) {
        expect(Object.keys(p).sort()).toEqual(expect.arrayContaining(['file', 'line', 'col', 'message', 'rule']));
        expect(p.file).toBe(f.file);
      }
      const hit = f.problems.find((p) => p.line === e.line && p.col === e.col && p.message.includes(e.fragment));
      if (!hit) throw new Error(`${f.file}: expected ${e.line}:${e.col} ${e.fragment}, got ${JSON.stringify(f.problems)}`);
    }
  });

  it('no invalid fixture produces a stack trace', async () => {
    const r = await flowctl(['validate', ...invalid]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).not.toMatch(STACK_LINE);
    for (const f of invalid) expect(r.stderr).toContain(`${f}:`);
  });

  describe('files that are not flows', () => {
    const dir = tempDirSync('flowctl-cli-');

    it('10 MB of random bytes: one clean message, exit 2', async () => {
      const file = join(dir, 'garbage.yaml');
      writeFileSync(file, randomBytes(10 * 1024 * 1024));
      const started = Date.now();
      const r = await flowctl(['validate', file]);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`${file}:1:1: file is too large (10.0 MiB); a flow file is at most 5 MiB\n  hint: is this really a flow file?\n1 problem found\n`);
    });

    it('a missing file', async () => {
      const r = await flowctl(['validate', 'flows/does-not-exist.yaml']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^flows\/does-not-exist\.yaml:1:1: no such file/);
      expect(r.stderr).not.toMatch(STACK_LINE);
    });

    it('a directory, with --json', async () => {
      const r = await flowctl(['validate', '--json', dir]);
      expect(r.code).toBe(2);
      const report = JSON.parse(r.stdout) as JsonReport;
      expect(report.files[0]!.problems[0]).toMatchObject({ file: dir, line: 1, col: 1, rule: 'file' });
    });
  });

  it('without a file: a usage error, exit 2', async () => {
    const r = await flowctl(['validate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: missing FILE/m);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});

describe('flowctl graph', () => {
  const nested = `${VALID}/nested-groups.yaml`;

  it('prints a text tree by default', async () => {
    const r = await flowctl(['graph', nested]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('├─ per_dataset [foreach] ← prepare\n│  ├─ split\n');
  });

  it('prints mermaid naming every step', async () => {
    const r = await flowctl(['graph', nested, '--format', 'mermaid']);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('flowchart TD\n')).toBe(true);
    for (const name of ['prepare', 'per_dataset', 'split', 'per_fold', 'per_lr', 'fit', 'score', 'pick_lr', 'join_folds', 'report']) {
      expect(r.stdout).toMatch(new RegExp(`"${name}( ⟳ foreach)?"`));
    }
  });

  it('prints dot', async () => {
    const r = await flowctl(['graph', nested, '--format', 'dot']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^digraph "nested" \{\n/);
    expect(r.stdout).toContain('subgraph "cluster_per_dataset.per_fold" {');
  });

  it('rejects an unknown format with a usage error, exit 2', async () => {
    const r = await flowctl(['graph', nested, '--format', 'png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Expected --format=png to be one of: text, mermaid, dot');
  });

  // One of each failure stage (validate already runs every fixture through the same loader in one process).
  const sample = ['yaml-syntax', 'empty', 'not-mapping', 'duplicate-step', 'unknown-step-key', 'bad-duration', 'cycle-in-group', 'expr-syntax', 'item-outside-foreach', 'output-collision']
    .map((n) => `${INVALID}/${n}.yaml`);

  it('prints problems and exits 2 for invalid flows (one per failure stage), never a stack trace', async () => {
    const results = await mapLimit(sample, 4, (f) => flowctl(['graph', f, '--format', 'mermaid']));
    results.forEach((r, i) => {
      expect([sample[i], r.code]).toEqual([sample[i], 2]);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${sample[i]}:`);
      expect(r.stderr).not.toMatch(STACK_LINE);
    });
  }, 120_000);
});

describe('flowctl schema', () => {
  it('prints the JSON Schema', async () => {
    const r = await flowctl(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync('schemas/flow.schema.json', 'utf8')));
  });

  it('--path prints where it is', async () => {
    const r = await flowctl(['schema', '--path']);
    expect(r.stdout.trim()).toMatch(/schemas\/flow\.schema\.json$/);
    expect(JSON.parse(readFileSync(r.stdout.trim(), 'utf8')).$id).toBeDefined();
  });
});

describe('--help', () => {
  it.each(['validate', 'graph', 'schema'])('%s --help shows usage, description and examples', async (cmd) => {
    const r = await flowctl([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('USAGE');
    expect(r.stdout).toContain(`$ flowctl ${cmd}`);
    expect(r.stdout).toContain('DESCRIPTION');
    expect(r.stdout).toContain('EXAMPLES');
    expect((r.stdout.match(/^\s+\$ flowctl /gm) ?? []).length).toBeGreaterThanOrEqual(4);
  });
});
