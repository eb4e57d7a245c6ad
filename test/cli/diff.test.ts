/** `flowctl diff`: two real runs of a flow with params, values, fan-out and a directory output. */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';

const FLOW = `
version: 1
name: exp
params:
  scale: { type: number, default: 1 }
  n: { type: integer, default: 2 }
  label: { type: string, default: a }
defaults:
  params: []   # the steps get params on their command lines, so a param reaches only the steps that use it
steps:
  make:
    run: 'echo "scale=\${{ params.scale }}" >> "$FLOW_VALUES"; mkdir -p out; echo \${{ params.scale }} > out/x.txt; echo same > out/same.txt; echo fixed > const.txt'
    outputs: [out, const.txt]
  fan:
    needs: [make]
    foreach: \${{ range(params.n) }}
    run: awk -v i=\${{ item }} -v s=\${{ params.scale }} 'BEGIN { print "score=" i * s }' >> "$FLOW_VALUES"; echo \${{ item }} > r.txt
    outputs: [r.txt]
  tag:
    run: 'echo "label=\${{ params.label }}" >> "$FLOW_VALUES"'
`;

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

let dir: string;
let a: string;
let b: string;

beforeAll(async () => {
  dir = await makeProject({ 'exp.yaml': FLOW });
  const ra = await flowctl(['run', 'exp.yaml', '--output', 'plain'], { cwd: dir });
  expect(ra.exitCode).toBe(0);
  a = runIdFrom(ra);
  const rb = await flowctl(['run', 'exp.yaml', '--output', 'plain', '-p', 'scale=2', '-p', 'n=3'], { cwd: dir });
  expect(rb.exitCode).toBe(0);
  b = runIdFrom(rb);
}, 120000);

afterAll(() => rm(dir, { recursive: true, force: true }));

async function diffJson(args: string[]): Promise<any> {
  const r = await flowctl(['diff', ...args, '--json'], { cwd: dir });
  expect(r).toMatchObject({ exitCode: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

describe('flowctl diff', () => {
  test('--json: what changed between the runs, A and B side by side', async () => {
    const d = await diffJson([`exp/${a}`, `exp/${b}`]);
    expect(Object.keys(d).sort()).toEqual(['a', 'b', 'differ', 'kind', 'outputs', 'params', 'steps', 'tasks', 'values']);
    expect(d).toMatchObject({ kind: 'diff', differ: true, a: { runId: a, params: { scale: 1 } }, b: { runId: b, params: { scale: 2 } } });
    expect(d.params).toEqual([
      { name: 'scale', a: 1, b: 2, change: 'changed' },
      { name: 'n', a: 2, b: 3, change: 'changed' },
    ]);
    // Every step, side by side, in DAG order; tag was reused from the cache, which is no change.
    expect(d.steps.map((s: any) => [s.step, s.a.state, s.b.state, s.change])).toEqual([
      ['make', 'succeeded', 'succeeded', 'unchanged'],
      ['fan', 'succeeded', 'succeeded', 'changed'],
      ['tag', 'succeeded', 'cached', 'unchanged'],
    ]);
    expect(d.steps[1]).toMatchObject({ a: { tasks: 2, counts: { succeeded: 2 } }, b: { tasks: 3 } });
    expect(typeof d.steps[0].durationDeltaMs).toBe('number');
    expect(d.tasks).toEqual([{ step: 'fan', taskId: '2', a: null, b: expect.objectContaining({ state: 'succeeded', item: 2 }), change: 'added' }]);
    expect(d.values).toEqual([
      { step: 'make', taskId: '0', name: 'scale', a: 1, b: 2, change: 'changed', delta: 1 },
      { step: 'fan', taskId: '1', name: 'score', a: 1, b: 2, change: 'changed', delta: 1 },
      { step: 'fan', taskId: '2', name: 'score', a: null, b: 4, change: 'added', delta: null },
    ]);
    // A directory output lists the files inside that differ; unchanged outputs are left out.
    expect(d.outputs.map((o: any) => [`${o.step}/${o.taskId}/${o.path}`, o.change])).toEqual([['make/0/out', 'changed'], ['fan/2/r.txt', 'added']]);
    const out = d.outputs[0];
    expect(out.a).toMatchObject({ type: 'dir', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(out.a.sha256).not.toBe(out.b.sha256);
    expect(out.files).toEqual([{ path: 'out/x.txt', a: { size: 2, sha256: expect.any(String) }, b: { size: 2, sha256: expect.any(String) }, change: 'changed' }]);
    expect(d.outputs[1]).toMatchObject({ a: null, b: { type: 'file', size: 2 } });
  });

  test('--all lists what did not change too', async () => {
    const d = await diffJson([a, b, '--all']);
    expect(d.params.find((p: any) => p.name === 'label')).toEqual({ name: 'label', a: 'a', b: 'a', change: 'unchanged' });
    expect(d.values.find((v: any) => v.step === 'fan' && v.taskId === '0')).toMatchObject({ a: 0, b: 0, change: 'unchanged', delta: 0 });
    expect(d.outputs.find((o: any) => o.path === 'const.txt')).toMatchObject({ change: 'unchanged' });
    expect(d.tasks.map((t: any) => `${t.step}/${t.taskId}`)).toEqual(['make/0', 'fan/0', 'fan/1', 'fan/2', 'tag/0']);
  });

  test('text: one table per kind of difference; FLOW and FLOW/latest~N name the last runs', async () => {
    const r = await flowctl(['diff', 'exp/latest~1', 'exp/latest'], { cwd: dir });
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const text = r.stdout;
    expect(text).toMatch(new RegExp(`^A\\s+exp/${a}\\s+succeeded`, 'm'));
    expect(text).toMatch(new RegExp(`^B\\s+exp/${b}\\s+succeeded`, 'm'));
    expect(text).toMatch(/^PARAM\s+A\s+B\s+CHANGE$/m);
    expect(text).toMatch(/^scale\s+1\s+2\s+changed$/m);
    expect(text).not.toMatch(/^label/m);
    expect(text).toMatch(/^STEP\s+A\s+B\s+DURATION Δ$/m);
    expect(text).toMatch(/^tag\s+succeeded · 1 task · \S+\s+cached · 1 task/m);
    expect(text).toMatch(/^fan\/2\s+-\s+succeeded · item 2/m);
    expect(text).toMatch(/^fan\/1 score\s+1\s+2\s+\+1$/m);
    expect(text).toMatch(/^fan\/2 score\s+-\s+4\s+added$/m);
    expect(text).toMatch(/^make\/0\/out\/\s+\d+ B\s+[0-9a-f]{12}\s+\d+ B\s+[0-9a-f]{12}\s+changed$/m);
    expect(text).toMatch(/^ {2}out\/x\.txt\s+2 B\s+[0-9a-f]{12}\s+2 B\s+[0-9a-f]{12}\s+changed$/m);
    expect(text).not.toMatch(/\u001b\[/);
    // `diff FLOW` is the same comparison.
    expect((await flowctl(['diff', 'exp'], { cwd: dir })).stdout).toBe(text);
  });

  test('exit code: 0 whether or not the runs differ; --exit-code: 1 when they differ', async () => {
    expect((await flowctl(['diff', a, b], { cwd: dir })).exitCode).toBe(0);
    expect((await flowctl(['diff', a, b, '--exit-code'], { cwd: dir })).exitCode).toBe(1);
    const same = await flowctl(['diff', b, b, '--exit-code'], { cwd: dir });
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('no differences in params, values, outputs or task states');
    expect(same.stdout).not.toMatch(/^PARAM/m);
  });

  test('a run re-run from the cache does not differ', async () => {
    const r = await flowctl(['run', 'exp.yaml', '--output', 'plain', '-p', 'scale=2', '-p', 'n=3'], { cwd: dir });
    const c = runIdFrom(r);
    const d = await diffJson([b, c]);
    expect(d.differ).toBe(false);
    expect(d.steps.every((s: any) => s.b.state === 'cached' && s.change === 'unchanged')).toBe(true);
    expect([d.params, d.tasks, d.values, d.outputs]).toEqual([[], [], [], []]);
  });

  test('bad arguments exit 2 with a message, never a stack', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[`exp/${a}`], /diff compares two runs: RUN_A RUN_B, or FLOW for its last two runs/],
      [['exp/latest~9', 'exp/latest'], /Flow exp has fewer than 10 runs .*so no exp\/latest~9/],
      [['exp/latest~x', a], /'latest~x' is not a run id .*FLOW\/latest~N/s],
      [[a, 'nope'], /No flow 'nope'|is neither a flow name nor a run id|not a run/],
      [[a, b, 'c'], /Unexpected argument|c/],
    ];
    for (const [args, message] of cases) {
      const r = await flowctl(['diff', ...args], { cwd: dir });
      expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK);
    }
  });

  test('runs of another project store are read with --datastore', async () => {
    const other = await makeProject({});
    try {
      const d = JSON.parse((await flowctl(['diff', a, b, '--json', '--datastore', path.join(dir, '.flowctl')], { cwd: other })).stdout);
      expect(d.differ).toBe(true);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
