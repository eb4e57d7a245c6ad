/** `flowctl logs RUN` and `--failed`: every task's lines, prefixed, steps in DAG order, tasks by id. */
import { rm } from 'node:fs/promises';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';

// File order is not DAG order: `last` is written first but needs `first`.
const FLOW = `
version: 1
name: lg
steps:
  last:
    needs: [first]
    run: echo "last out"; echo "last err" >&2
  first:
    run: printf 'first 1\\nfirst 2\\n'; echo "first err" >&2; printf 'no newline at the end'
  fan:
    needs: [first]
    foreach: \${{ range(12) }}
    catch: true
    run: echo "fan \${{ item }}"; test \${{ item }} != 1 || { echo "boom \${{ item }}" >&2; exit 3; }
`;

const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const fanLines = (ids: number[]) => ids.map((i) => `fan/${i} | fan ${i}`);

let dir: string;
let first: string;

beforeAll(async () => {
  dir = await makeProject({ 'lg.yaml': FLOW });
  const r = await flowctl(['run', 'lg.yaml', '--output', 'plain', '-j', '4'], { cwd: dir, stripFinalNewline: false });
  expect(r.exitCode).toBe(0); // the failure is caught
  first = runIdFrom(r);
}, 120000);

afterAll(() => rm(dir, { recursive: true, force: true }));

describe('flowctl logs RUN', () => {
  test('every task, prefixed, DAG order then task id; stdout then stderr of each task', async () => {
    const r = await flowctl(['logs', first], { cwd: dir, stripFinalNewline: false });
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    const ids = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    expect(r.stdout.split('\n')).toEqual([
      'first/0 | first 1', 'first/0 | first 2', 'first/0 | no newline at the end', 'first/0 | first err',
      'last/0 | last out', 'last/0 | last err',
      ...ids.flatMap((i) => [`fan/${i} | fan ${i}`, ...(i === 1 ? ['fan/1 | boom 1'] : [])]),
      '',
    ]);
  });

  test('FLOW/latest, --stdout and --stderr', async () => {
    const out = await flowctl(['logs', 'lg/latest', '--stdout'], { cwd: dir, stripFinalNewline: false });
    expect(out.stdout).toBe(['first/0 | first 1', 'first/0 | first 2', 'first/0 | no newline at the end', 'last/0 | last out', ...fanLines([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]), ''].join('\n'));
    const err = await flowctl(['logs', 'lg/latest', '--stderr'], { cwd: dir, stripFinalNewline: false });
    expect(err.stdout).toBe(['first/0 | first err', 'last/0 | last err', 'fan/1 | boom 1', ''].join('\n'));
    expect((await flowctl(['logs', 'lg/latest', '--stderr', '--stdout'], { cwd: dir, stripFinalNewline: false })).exitCode).toBe(2);
  });

  test('--failed: only the failed tasks of the run, or of a step', async () => {
    const r = await flowctl(['logs', 'lg/latest', '--failed'], { cwd: dir, stripFinalNewline: false });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'fan/1 | fan 1\nfan/1 | boom 1\n', stderr: '' });
    expect((await flowctl(['logs', 'lg/latest/fan', '--failed'], { cwd: dir, stripFinalNewline: false })).stdout).toBe('fan/1 | fan 1\nfan/1 | boom 1\n');
    const none = await flowctl(['logs', 'lg/latest/first', '--failed'], { cwd: dir, stripFinalNewline: false });
    expect(none).toMatchObject({ exitCode: 0, stdout: '' });
    expect(none.stderr).toMatch(/Step lg\/\S+\/first has no failed tasks/);
  });

  test('--json: one entry per task and stream', async () => {
    const r = await flowctl(['logs', first, '--json'], { cwd: dir, stripFinalNewline: false });
    expect(r.exitCode).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v.kind).toBe('logs');
    expect(v.logs).toHaveLength(2 * 14);
    expect(v.logs[0]).toEqual({ pathspec: `lg/${first}/first/0`, taskId: '0', source: null, attempt: 1, stream: 'stdout', text: 'first 1\nfirst 2\nno newline at the end' });
    expect(v.logs[1]).toMatchObject({ pathspec: `lg/${first}/first/0`, stream: 'stderr', text: 'first err\n' });
    expect(v.logs.filter((l: any) => l.stream === 'stderr' && l.text).map((l: any) => l.pathspec.split('/').slice(2).join('/'))).toEqual(['first/0', 'last/0', 'fan/1']);
  });

  test('a cached run shows the logs of the tasks that ran, and says so on stderr', async () => {
    const again = runIdFrom(await flowctl(['run', 'lg.yaml', '--output', 'plain'], { cwd: dir, stripFinalNewline: false }));
    const r = await flowctl(['logs', again, '--stdout'], { cwd: dir, stripFinalNewline: false });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('first/0 | first 1\n');
    expect(r.stdout).toContain('fan/11 | fan 11\n');
    expect(r.stderr).toContain(`first/0: cached; these are the logs of lg/${first}/first/0`);
    // fan/1 failed, so it ran again in this run: its own logs, no note
    expect(r.stderr).not.toMatch(/^fan\/1:/m);
  });

  test('the step and task forms still print as before', async () => {
    const step = await flowctl(['logs', `lg/${first}/last`], { cwd: dir, stripFinalNewline: false });
    expect(step).toMatchObject({ exitCode: 0, stdout: 'last out\n' });
    const fan = await flowctl(['logs', `lg/${first}/fan`], { cwd: dir, stripFinalNewline: false });
    expect(fan.stdout).toMatch(new RegExp(`^==> lg/${first}/fan/0 \\(attempt 1, stdout\\) <==\\nfan 0\\n`));
    expect((await flowctl(['logs', `lg/${first}/fan/1`, '--stderr'], { cwd: dir, stripFinalNewline: false })).stdout).toBe('boom 1\n');
  });

  test('flags that do not fit a whole run exit 2', async () => {
    for (const args of [[first, '--follow'], [`${first}/fan/1`, '--failed'], ['lg']]) {
      const r = await flowctl(['logs', ...args], { cwd: dir, stripFinalNewline: false });
      expect({ args, exitCode: r.exitCode }).toEqual({ args, exitCode: 2 });
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).not.toMatch(STACK);
    }
  });
});
