/**
 * A task that cannot be started (a command or variable over the kernel's argument limits, a NUL
 * byte, a missing shell, too many open files) fails alone, with a reason and a hint; retry and
 * catch apply as for any failed attempt, and every other task of the run carries on.
 */
import { execa } from 'execa';
import { rm } from 'node:fs/promises';
import { BIN, flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const dirs: string[] = [];
async function project(files: Record<string, string>): Promise<string> {
  const dir = await makeProject(files);
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const HINT = 'pass large values through a file, e.g. an upstream output, instead of embedding them in run:/env:';

/** A sibling that runs while the bad task fails: it must still succeed (the spawner lives on). */
const SIBLING = `
  sibling:
    run: sleep 1.5; echo alive > alive.txt
    outputs: [alive.txt]
`;

test('a 200 KiB upstream value embedded in run: fails that task alone (E2BIG), with a hint; catch and retry apply', async () => {
  const dir = await project({
    'flow.yaml': `
version: 1
name: bigarg
steps:
  make:
    run: node -e "console.log('v=' + JSON.stringify('x'.repeat(200000)))" >> $FLOW_VALUES
  use:
    needs: [make]
    run: echo \${{ steps.make.values.v }} | wc -c
    retry: 1
    catch: true
  after:
    needs: [use]
    run: echo after
${SIBLING}`,
  });
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(r.stderr).not.toMatch(/\n\s+at |spawner process ended/);
  expect(r.exitCode).toBe(0);
  const id = runIdFrom(r);
  const s = StoreReader.of(dir);
  const use = await s.task('bigarg', id, 'use');
  expect(use).toMatchObject({ state: 'failed', caught: true, attempts: 2 });
  expect(use.reason).toBe(`could not start: the rendered run: command is 195.3 KiB, over the 128 KiB the system allows for one argument (E2BIG); ${HINT}`);
  const attempt = await s.json(`flows/bigarg/runs/${id}/steps/use/tasks/0/attempts/2/attempt.json`);
  expect(attempt).toMatchObject({ state: 'failed', exitCode: null, reason: use.reason });
  expect(await s.task('bigarg', id, 'sibling')).toMatchObject({ state: 'succeeded' });
  expect(await s.output('bigarg', id, 'sibling', '0', 'alive.txt')).toBe('alive\n');
  expect(await s.task('bigarg', id, 'after')).toMatchObject({ state: 'succeeded' });
  expect(await s.run('bigarg', id)).toMatchObject({ state: 'succeeded', caughtFailures: 1 });
});

test('an env value over 128 KiB fails its task alone (exit 1 without catch), naming the variable, never its value', async () => {
  const dir = await project({
    'flow.yaml': `
version: 1
name: bigenv
steps:
  make:
    run: node -e "console.log('v=' + JSON.stringify('VALUE-MARKER'.repeat(20000)))" >> $FLOW_VALUES
  use:
    needs: [make]
    env: { PAYLOAD: "\${{ steps.make.values.v }}" }
    run: echo "$PAYLOAD" | wc -c
${SIBLING}`,
  });
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).not.toMatch(/\n\s+at |spawner process ended/);
  expect(r.stderr).not.toContain('VALUE-MARKER');
  const id = runIdFrom(r);
  const s = StoreReader.of(dir);
  const use = await s.task('bigenv', id, 'use');
  expect(use.state).toBe('failed');
  expect(use.reason).toMatch(/^could not start: environment variable PAYLOAD \(234\.4 KiB\) is over the 128 KiB the system allows for one variable \(E2BIG\); pass large values through a file/);
  expect(await s.task('bigenv', id, 'sibling')).toMatchObject({ state: 'succeeded' });
  expect(await s.run('bigenv', id)).toMatchObject({ state: 'failed' });
});

test('many variables that are each allowed but together exceed ARG_MAX fail the task alone', async () => {
  const vars = Array.from({ length: 20 }, (_, i) => `V${i}: "\${{ steps.make.values.w }}"`).join(', ');
  const dir = await project({
    'flow.yaml': `
version: 1
name: argmax
steps:
  make:
    run: node -e "console.log('w=' + JSON.stringify('y'.repeat(120000)))" >> $FLOW_VALUES
  use:
    needs: [make]
    env: { ${vars} }
    run: echo hi
    catch: true
${SIBLING}`,
  });
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(r.exitCode).toBe(0);
  const id = runIdFrom(r);
  const s = StoreReader.of(dir);
  const use = await s.task('argmax', id, 'use');
  expect(use).toMatchObject({ state: 'failed', caught: true });
  expect(use.reason).toMatch(/^could not start: the command and its environment \([\d.]+ KiB together\) are over the system's limit for a new process \(E2BIG, ARG_MAX\); pass large values/);
  expect(await s.task('argmax', id, 'sibling')).toMatchObject({ state: 'succeeded' });
});

test('a NUL byte in a literal run: or env: fails that task alone instead of crashing the spawner', async () => {
  const dir = await project({
    'flow.yaml': `
version: 1
name: nul
steps:
  cmd:
    run: "echo a\\0b"
    catch: true
  var:
    env: { X: "a\\0b" }
    run: echo "$X"
    catch: true
${SIBLING}`,
  });
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(r.stderr).not.toMatch(/\n\s+at |spawner process ended/);
  expect(r.exitCode).toBe(0);
  const id = runIdFrom(r);
  const s = StoreReader.of(dir);
  expect((await s.task('nul', id, 'cmd')).reason).toBe(
    'could not start: the rendered run: command contains a NUL byte; a command line and its environment cannot carry NUL bytes; pass such data through a file',
  );
  expect((await s.task('nul', id, 'var')).reason).toMatch(/^could not start: environment variable X contains a NUL byte/);
  expect(await s.task('nul', id, 'sibling')).toMatchObject({ state: 'succeeded' });
});

test('shell: bash that is not on PATH fails the task with a hint; retry applies; the others run', async () => {
  const dir = await project({
    'flow.yaml': `
version: 1
name: noshell
steps:
  b:
    shell: bash
    env: { PATH: /nonexistent-dir }
    run: echo never
    retry: 1
${SIBLING}`,
  });
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(r.exitCode).toBe(1);
  const id = runIdFrom(r);
  const s = StoreReader.of(dir);
  expect(await s.task('noshell', id, 'b')).toMatchObject({
    state: 'failed', attempts: 2, reason: 'could not start: bash not found on PATH (shell: bash); install it, or use shell: sh',
  });
  expect(await s.task('noshell', id, 'sibling')).toMatchObject({ state: 'succeeded' });
});

test('too many open files (a low ulimit -n) fails the tasks that cannot start, not the run', async () => {
  const dir = await project({
    'flow.yaml': `
version: 1
name: emfile
steps:
  fan:
    foreach: \${{ range(200) }}
    run: sleep 1
    catch: true
  after:
    needs: [fan]
    run: echo done
`,
  });
  // 200 tasks at once need ~400 log files in flowctl and ~400 pipe ends in the spawner.
  const r = await execa('sh', ['-c', `ulimit -n 150 && exec node ${BIN} run flow.yaml --output plain -j 200`], {
    cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester' },
  });
  expect(String(r.stderr)).not.toMatch(/\n\s+at |MaxListenersExceededWarning/);
  expect(r.exitCode).toBe(0);
  const id = runIdFrom({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) });
  const s = StoreReader.of(dir);
  expect(await s.run('emfile', id)).toMatchObject({ state: 'succeeded' });
  expect(String(r.stderr)).toMatch(/too many open files \(EMFILE\)[^\n]*; raise the open-file limit \(ulimit -n\) or lower --max-workers/);
  expect(await s.task('emfile', id, 'after')).toMatchObject({ state: 'succeeded' });
}, 120000);
