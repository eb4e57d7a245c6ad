/** `flowctl graph --run RUN` and the DAG `show RUN` draws on a terminal, over real runs. */
import { spawnSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';
import { flowctlInPty, screen } from '../ui/terminal.js';

const FLOW = `
version: 1
name: gr
params:
  fail: { type: boolean, default: false }
steps:
  prep:
    run: echo prep
  per:
    needs: [prep]
    foreach: [1, 2]
    steps:
      fit: { run: echo fit }
      test: { needs: [fit], run: 'if [ \${{ item }} = 2 ] && [ \${{ params.fail }} = true ]; then exit 4; fi' }
  flaky:
    needs: [prep]
    catch: true
    run: exit 5
  skipme:
    needs: [prep]
    if: \${{ params.fail }}
    run: echo ran
  report:
    needs: [per, flaky]
    run: echo report
`;

const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const hasDot = spawnSync('dot', ['-V']).status === 0;

let dir: string;
let ok: string;
let failed: string;

beforeAll(async () => {
  dir = await makeProject({ 'gr.yaml': FLOW });
  const a = await flowctl(['run', 'gr.yaml', '--output', 'plain'], { cwd: dir });
  expect(a.exitCode).toBe(0);
  ok = runIdFrom(a);
  const b = await flowctl(['run', 'gr.yaml', '--output', 'plain', '-p', 'fail=true', '-j', '1', '--no-cache'], { cwd: dir });
  expect(b.exitCode).toBe(1);
  failed = runIdFrom(b);
}, 120000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('flowctl graph --run', () => {
  test('text: the DAG the run recorded, each step with its state, task counts and duration', async () => {
    const r = await flowctl(['graph', '--run', `gr/${ok}`], { cwd: dir });
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe(`flow gr · run ${ok} · succeeded`);
    expect(lines.slice(1).map((l) => l.replace(/\s+[\d.]+m?s$/, ' T'))).toEqual([
      expect.stringMatching(/^├─ prep +✔ succeeded · 1 task · T$/),
      expect.stringMatching(/^├─ per \[foreach\] ← prep +✔ succeeded · 4 tasks · T$/),
      expect.stringMatching(/^│  ├─ fit +✔ succeeded · 2 tasks · T$/),
      expect.stringMatching(/^│  └─ test ← fit +✔ succeeded · 2 tasks · T$/),
      expect.stringMatching(/^├─ flaky ← prep +✖ failed \(caught\) · 1 task · T$/),
      expect.stringMatching(/^├─ skipme ← prep +↷ skipped · 1 task · T$/),
      expect.stringMatching(/^└─ report ← per, flaky +✔ succeeded · 1 task · T$/),
    ]);
    // the marks line up in one column
    expect(new Set(lines.slice(1).map((l) => l.search(/[✔✖↷]/))).size).toBe(1);
    expect(r.stdout).not.toMatch(/\u001b\[/);
  });

  test('a failed run: the failing group, mixed counts, and the steps it never reached', async () => {
    const r = await flowctl(['graph', '--run', 'gr/latest'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^flow gr · run ${failed} · failed$`, 'm'));
    expect(r.stdout).toMatch(/^├─ per \[foreach\] ← prep +✖ failed · 4 tasks \(3 succeeded, 1 failed\)/m);
    expect(r.stdout).toMatch(/^│ {2}└─ test ← fit +✖ failed · 2 tasks \(1 succeeded, 1 failed\)/m);
    expect(r.stdout).toMatch(/^└─ report ← per, flaky +○ not run$/m);
  });

  test('mermaid: a second line with the state, a classDef colour per state', async () => {
    const r = await flowctl(['graph', '--run', failed, '--format', 'mermaid'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const out = r.stdout;
    expect(out.startsWith('flowchart TD\n')).toBe(true);
    const id = (label: string) => new RegExp(`^\\s*(?:subgraph )?(n\\d+)\\[+"${label}<br/>`, 'm').exec(out)?.[1];
    expect(out).toMatch(/n\d+\["prep<br\/>✔ succeeded · 1 task · [\d.]+m?s"\]/);
    expect(out).toMatch(/subgraph n\d+\["per ⟳ foreach<br\/>✖ failed · 4 tasks \(3 succeeded, 1 failed\) · [\d.]+m?s"\]/);
    expect(out).toMatch(/n\d+\["report<br\/>○ not run"\]/);
    for (const [state, color] of [['succeeded', '#dcfce7'], ['failed', '#fee2e2'], ['caught', '#fef9c3'], ['not_run', '#f3f4f6']]) {
      expect(out).toMatch(new RegExp(`^  classDef state_${state} fill:${color},stroke:#[0-9a-f]{6}`, 'm'));
    }
    const classOf = (node: string) => [...out.matchAll(/^ {2}class (\S+) (state_\w+)$/gm)].find((m) => m[1]!.split(',').includes(node))?.[2];
    expect(classOf(id('prep')!)).toBe('state_succeeded');
    // a group is a subgraph, which `class` does not style: it gets a `style` line
    expect(out).toMatch(new RegExp(`^  style ${id('per ⟳ foreach')} fill:#fee2e2,stroke:#dc2626,color:#111827$`, 'm'));
    expect(classOf(id('test')!)).toBe('state_failed');
    expect(classOf(id('flaky')!)).toBe('state_caught');
    expect(classOf(id('report')!)).toBe('state_not_run');
  });

  test('dot: labels with the state, filled by state colour', async () => {
    const r = await flowctl(['graph', '--run', failed, '--format', 'dot'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^ {2}"prep" \[label="prep\\n✔ succeeded · 1 task · [\d.]+m?s", style="rounded,filled", fillcolor="#dcfce7", color="#16a34a"\];$/m);
    expect(r.stdout).toMatch(/^ {4}"per\.test" \[label="test\\n✖ failed · 2 tasks \(1 succeeded, 1 failed\) · [\d.]+m?s", style="rounded,filled", fillcolor="#fee2e2"/m);
    expect(r.stdout).toMatch(/subgraph "cluster_per" \{\n {4}label="per ⟳ foreach\\n✖ failed[^"]*";\n {4}style="dashed,filled";\n {4}fillcolor="#fee2e2";/);
    if (hasDot) {
      const svg = spawnSync('dot', ['-Tsvg'], { input: r.stdout });
      expect(svg.stderr.toString()).toBe('');
      expect(svg.status).toBe(0);
    }
  });

  test('FILE or --run, not both and not neither; an unknown run exits 2', async () => {
    for (const [args, message] of [
      [['graph'], /give a flow FILE, or --run RUN/],
      [['graph', 'gr.yaml', '--run', ok], /not both/],
      [['graph', '--run', 'nope/latest'], /No flow 'nope'/],
      [['graph', '--run', 'gr/latest/prep'], /is not a run/],
    ] as Array<[string[], RegExp]>) {
      const r = await flowctl(args, { cwd: dir });
      expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 2 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK);
    }
  });
});

describe('flowctl show RUN draws the DAG on a terminal', () => {
  test('above the step table, coloured, under a pseudo-terminal', async () => {
    const { raw, exitCode } = await flowctlInPty(['show', failed], { cwd: dir, columns: 140, rows: 60 });
    expect(exitCode).toBe(0);
    expect(raw).toMatch(/\u001b\[31m✖ failed\u001b\[39m/);
    const lines = screen(raw);
    const at = lines.indexOf('graph');
    const table = lines.findIndex((l) => /^STEP\s+STATE\s+TASKS/.test(l));
    expect(at).toBeGreaterThan(0);
    expect(table).toBeGreaterThan(at);
    expect(lines.slice(at + 1, table).filter(Boolean)).toEqual([
      expect.stringMatching(/^├─ prep +✔ succeeded$/),
      expect.stringMatching(/^├─ per \[foreach\] ← prep +✖ failed$/),
      expect.stringMatching(/^│ {2}├─ fit +✔ succeeded$/),
      expect.stringMatching(/^│ {2}└─ test ← fit +✖ failed$/),
      // whether these ran before the failure stopped the run depends on scheduling
      expect.stringMatching(/^├─ flaky ← prep +(✖ failed \(caught\)|○ not run)$/),
      expect.stringMatching(/^├─ skipme ← prep +(✔ succeeded|○ not run)$/),
      expect.stringMatching(/^└─ report ← per, flaky +○ not run$/),
    ]);
  });

  test('not when piped, and --json is unchanged', async () => {
    const r = await flowctl(['show', failed], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).not.toMatch(/^graph$/m);
    expect(r.stdout).not.toContain('├─');
    const v = JSON.parse((await flowctl(['show', failed, '--json'], { cwd: dir })).stdout);
    expect(Object.keys(v).sort()).toEqual(['kind', 'run', 'steps']);
  });
});
