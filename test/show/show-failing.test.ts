/** show and logs over a failing run: retried attempts and their logs, caught and unrun steps, dir and binary outputs. */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN } from '../helpers/cli.js';
import { flowctl, json, makeProject, runFlow, STACK } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

let cwd: string;
let id: string;
let runExit: number;

beforeAll(async () => {
  // The counter lives outside the task dir (each attempt gets a fresh one), passed in through env.
  const counter = path.join(await tempDir('flowctl-counter-'), 'n');
  cwd = await makeProject({
    'flow.yaml': `
version: 1
name: flaky
steps:
  flaky:
    retry: 2
    env: { COUNTER: "${counter}" }
    run: >-
      n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > "$COUNTER";
      echo "attempt $n out"; echo "attempt $n err" >&2;
      printf 'bin\\000\\001\\002ary' > blob.bin; mkdir -p reports/sub; echo alpha > reports/a.txt; echo beta > reports/sub/b.txt;
      test "$n" -ge 3
    outputs: [blob.bin, reports]
  optional:
    catch: true
    run: 'echo "optional fails" >&2; exit 4'
  broken:
    needs: [flaky]
    retry: 1
    run: 'echo "about to fail"; echo "boom: bad input" >&2; exit 3'
  after:
    needs: [broken]
    run: echo never
`,
  });
  const { id: runId, r } = await runFlow(cwd, 'flow.yaml');
  id = runId;
  runExit = r.exitCode;
}, 120000);

test('the run failed and show RUN says which steps failed, were caught or never ran', async () => {
  expect(runExit).toBe(1);
  const v = await json(['show', id], cwd);
  expect(v.run).toMatchObject({ state: 'failed', taskCounts: { succeeded: 1, failed: 2 } });
  expect(v.steps.map((s: any) => [s.step, s.state, s.tasks])).toEqual([
    ['flaky', 'succeeded', 1], ['optional', 'caught', 1], ['broken', 'failed', 1], ['after', 'not-run', 0],
  ]);
  const text = (await flowctl(['show', 'flaky/latest'], { cwd })).stdout;
  expect(text).toMatch(/^state\s+failed$/m);
  expect(text).toMatch(/^optional\s+caught\s+1\s+1 failed/m);
  expect(text).toMatch(/^after\s+not run\s+0\s+-/m);
  expect((await flowctl(['show', 'flaky', '--status', 'failed'], { cwd })).stdout).toContain(id);
});

test('show RUN/STEP/TASK lists every attempt with its state, exit code and reason', async () => {
  const v = await json(['show', `${id}/flaky/0`], cwd);
  expect(v.task).toMatchObject({ state: 'succeeded', attempts: 3 });
  expect(v.attempts.map((a: any) => [a.attempt, a.state, a.exitCode])).toEqual([[1, 'failed', 1], [2, 'failed', 1], [3, 'succeeded', 0]]);
  const broken = await flowctl(['show', `${id}/broken/0`], { cwd });
  expect(broken.stdout).toMatch(/^reason\s+exit code 3$/m);
  expect(broken.stdout).toMatch(/^\s+1\s+failed\s+3\s.*exit code 3$/m);
  expect(broken.stdout).toMatch(/^\s+2\s+failed\s+3\s.*exit code 3$/m);
  expect(broken.stdout).toMatch(/^outputs: none$/m);
  const caught = await flowctl(['show', `${id}/optional`], { cwd });
  expect(caught.stdout).toMatch(/^0\s+-\s+failed \(caught\)\s+1\s/m);
});

test('logs of each attempt of a retried task, stdout and stderr', async () => {
  for (const n of [1, 2, 3]) {
    expect((await flowctl(['logs', `${id}/flaky/0`, '--attempt', String(n)], { cwd })).stdout).toBe(`attempt ${n} out`);
    expect((await flowctl(['logs', `${id}/flaky/0`, '-a', String(n), '--stderr'], { cwd })).stdout).toBe(`attempt ${n} err`);
  }
  expect((await flowctl(['logs', `flaky/latest/flaky`], { cwd })).stdout).toBe('attempt 3 out');
  expect((await flowctl(['logs', `${id}/broken/0`, '--attempt', '1', '--stderr'], { cwd })).stdout).toBe('boom: bad input');
  const missing = await flowctl(['logs', `${id}/flaky/0`, '--attempt', '9'], { cwd });
  expect(missing).toMatchObject({ exitCode: 2 });
  expect(missing.stderr).toMatch(/has no attempt 9; attempts: 1, 2, 3/);
});

test('an artifact of a failed task: outputs are only stored on success', async () => {
  const r = await flowctl(['show', `${id}/broken/0/out.txt`], { cwd });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/has no outputs \(outputs are stored only when a task succeeds; it is failed: exit code 3\)/);
  expect(r.stderr).not.toMatch(STACK);
});

test('a directory output is listed, its files readable, and -o saves the tree', async () => {
  const list = await flowctl(['show', `${id}/flaky/0/reports`], { cwd });
  expect(list.stdout.split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['PATH', 'reports/a.txt', 'reports/sub/b.txt']);
  const v = await json(['show', `${id}/flaky/0/reports/sub`], cwd);
  expect(v.artifact).toMatchObject({ path: 'reports/sub', type: 'dir', sha256: null, size: 5, files: [{ path: 'reports/sub/b.txt', size: 5 }] });
  expect((await flowctl(['show', `${id}/flaky/0/reports/sub/b.txt`], { cwd })).stdout).toBe('beta');
  const dest = path.join(cwd, 'saved');
  const saved = await json(['show', `${id}/flaky/0/reports`, '-o', dest], cwd);
  expect(saved).toMatchObject({ kind: 'saved', type: 'dir', files: 2, bytes: 11 });
  expect(await readFile(path.join(dest, 'sub/b.txt'), 'utf8')).toBe('beta\n');
  const typo = await flowctl(['show', `${id}/flaky/0/reports/c.txt`], { cwd });
  expect(typo.stderr).toMatch(/has no 'c\.txt'; entries: reports\/a\.txt, reports\/sub\/, reports\/sub\/b\.txt \(did you mean 'reports\/a\.txt'\?\)/);
});

test('binary content: refused on a terminal unless --force, printed as-is to a pipe', async () => {
  const piped = await execa('node', [BIN, 'show', `${id}/flaky/0/blob.bin`], { cwd, encoding: 'buffer', env: { FLOWCTL_USER: 'tester' } });
  expect(Buffer.from(piped.stdout).equals(Buffer.from('bin\x00\x01\x02ary', 'latin1'))).toBe(true);
  // script(1) gives the command a real pseudo-terminal.
  const tty = (args: string) => execa('script', ['-qec', `node ${BIN} show ${args}`, '/dev/null'], { cwd, reject: false, env: { FLOWCTL_USER: 'tester' } });
  const refused = await tty(`${id}/flaky/0/blob.bin`);
  expect(refused.exitCode).toBe(2);
  expect(refused.stdout).toMatch(/looks binary; not printing it to the terminal[\s\S]*-o FILE[\s\S]*--force/);
  const forced = await tty(`${id}/flaky/0/blob.bin --force`);
  expect(forced.exitCode).toBe(0);
  expect(forced.stdout).toContain('bin');
  const text = await tty(`${id}/flaky/0/reports/a.txt`);
  expect(text).toMatchObject({ exitCode: 0 });
  expect(text.stdout.trim()).toBe('alpha');
});
