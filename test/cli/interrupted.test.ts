/**
 * Issue 17, items 3 and 13, through the built CLI: a run stopped by Ctrl-C calls its stopped
 * tasks `interrupted` in plain output, the store, `show` and `--json`; plain output ends with
 * where to look next; steps in a fanned-out group print one line, and the group counts its
 * tasks; `show` paints states like the live view on a terminal, and only there.
 */
import { execa } from 'execa';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { flowctlInPty } from '../ui/terminal.js';

const FLOW = `
version: 1
name: stoppable
steps:
  prepare:
    run: echo ready
  per_fold:
    needs: [prepare]
    foreach: [0, 1, 2]
    steps:
      fit: { run: 'echo "fit \${{ item }}"' }
      test: { needs: [fit], run: 'if [ -e "$OK" ]; then echo tested; else sleep 60; fi', env: { OK: "\${{ params.ok }}" } }
  after:
    needs: [per_fold]
    run: echo done
params:
  ok: { type: string }
`;

// eslint-disable-next-line no-control-regex
const ESC = /\x1b\[/;

let cwd: string;
let okFile: string;
let id: string;
let stderr: string;

beforeAll(async () => {
  cwd = await makeProject({ 'flow.yaml': FLOW });
  okFile = path.join(cwd, 'ok');
  const child = execa('node', [BIN, 'run', 'flow.yaml', '--output', 'plain', '-j', '2', '-p', `ok=${okFile}`], {
    cwd, reject: false, env: { FLOWCTL_USER: 'tester' },
  });
  let seen = '';
  await new Promise<void>((resolve) => {
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString();
      if (/task per_fold\.test\/\d: started/.test(seen)) resolve();
    });
  });
  child.kill('SIGINT');
  const r = await child;
  expect(r.exitCode).toBe(130);
  id = runIdFrom({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) });
  stderr = String(r.stderr);
}, 60_000);

test('plain output: tasks are "interrupted", one line per grouped step, and the run ends with where to look next', () => {
  const lines = stderr.split('\n');
  expect(lines).toContainEqual(expect.stringMatching(/^task per_fold\.test\/\d: interrupted after \S+$/));
  expect(stderr).not.toMatch(/failed/);
  expect(lines.filter((l) => l.startsWith('step per_fold.fit: ') && !/started|succeeded/.test(l))).toEqual(['step per_fold.fit: tasks for each item of per_fold']);
  expect(stderr).not.toMatch(/step per_fold\.\w+: \d+ tasks/);
  expect(lines.slice(-4)).toEqual([
    expect.stringMatching(new RegExp(`^run ${id}: interrupted in \\S+ \\(\\d+ succeeded, \\d+ interrupted\\)$`)),
    `  store   ${path.join(cwd, '.flowctl')}`,
    `  show    flowctl show ${id}`,
    `  resume  flowctl resume ${id}`,
  ]);
});

test('the store, show and --json call them interrupted too', async () => {
  const s = StoreReader.of(cwd);
  const tests = (await s.tasks('stoppable', id, 'per_fold.test')).filter((t) => t.state !== 'succeeded');
  expect(tests.length).toBeGreaterThan(0);
  for (const t of tests) expect(t).toMatchObject({ state: 'interrupted', reason: 'interrupted' });
  const run = JSON.parse((await flowctl(['show', id, '--json'], { cwd })).stdout);
  expect(run.steps.find((x: { step: string }) => x.step === 'per_fold.test')).toMatchObject({ state: 'interrupted' });
  const step = JSON.parse((await flowctl(['show', `${id}/per_fold.test`, '--json'], { cwd })).stdout);
  expect(step.tasks.map((t: { state: string }) => t.state)).toContain('interrupted');
  const text = (await flowctl(['show', id], { cwd })).stdout;
  expect(text).toMatch(/^per_fold\.test +interrupted +\d+ +(\d+ succeeded, )?\d+ interrupted/m);
  expect(text).toMatch(/^after +not run /m);
  // piped: no colours, no icons
  expect(text).not.toMatch(ESC);
  expect(text).not.toMatch(/[✔✖■↺○]/);
});

test('on a terminal, show paints states with the live view’s icons and colours; NO_COLOR turns both off', async () => {
  const { raw, exitCode } = await flowctlInPty(['show', id], { cwd, columns: 150, rows: 40 });
  expect(exitCode).toBe(0);
  expect(raw).toContain('\x1b[32m✔ succeeded\x1b[39m');
  expect(raw).toContain('\x1b[33m■ interrupted\x1b[39m');
  expect(raw).toContain('\x1b[90m○ not run\x1b[39m');
  const plain = await flowctlInPty(['show', id], { cwd, columns: 150, rows: 40, env: { NO_COLOR: '1' } });
  expect(plain.raw).not.toMatch(ESC);
  expect(plain.raw).not.toContain('■');
  expect(plain.raw).toMatch(/per_fold\.test +interrupted/);
});

test('resuming the flow file finishes it; the group line counts its steps’ tasks', async () => {
  await writeFile(okFile, '');
  const r = await flowctl(['resume', 'flow.yaml', '--output', 'plain'], { cwd });
  expect(r.exitCode).toBe(0);
  expect((await StoreReader.of(cwd).run('stoppable', runIdFrom(r))).originRunId).toBe(id);
  expect(r.stderr).toMatch(/^step per_fold: succeeded \(\d+ succeeded(, \d+ cached)?\) in /m);
  expect(r.stderr).not.toContain('no tasks');
  expect(r.stderr).not.toMatch(/flowctl resume/);
}, 60_000);

test('a failed run ends plain output with show, logs of the failed task and resume', async () => {
  const dir = await makeProject({ 'flow.yaml': 'version: 1\nname: broken\nsteps:\n  ok: { run: echo fine }\n  bad: { needs: [ok], run: echo boom >&2; exit 3 }\n' });
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(r.exitCode).toBe(1);
  const run = runIdFrom(r);
  expect(r.stderr.split('\n').slice(-3)).toEqual([`  show    flowctl show ${run}`, `  logs    flowctl logs ${run}/bad/0`, `  resume  flowctl resume ${run}`]);
});
