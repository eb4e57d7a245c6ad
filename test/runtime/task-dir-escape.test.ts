/**
 * A task cannot make flowctl reach outside its directory (DESIGN §2): outputs are never
 * collected through a symlink out of it, a task directory replaced by a symlink is neither
 * read, collected from nor cleaned through, and FLOW_VALUES is read only as a regular file.
 * Each case puts precious files outside and checks they are all still there afterwards.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

let outside: string;
beforeEach(async () => {
  outside = await mkdtemp(path.join(os.tmpdir(), 'flowctl-outside-'));
  dirs.push(outside);
  await mkdir(path.join(outside, 'dir'));
  await writeFile(path.join(outside, 'file'), 'precious\n');
  await writeFile(path.join(outside, 'dir', 'f'), 'also precious\n');
});

async function expectOutsideUntouched(): Promise<void> {
  expect((await readdir(outside)).sort()).toEqual(['dir', 'file']);
  expect(await readFile(path.join(outside, 'file'), 'utf8')).toBe('precious\n');
  expect(await readdir(path.join(outside, 'dir'))).toEqual(['f']);
}

async function run(yaml: string, args: string[] = []): Promise<{ dir: string; id: string; r: Awaited<ReturnType<typeof flowctl>> }> {
  const dir = await makeProject({ 'flow.yaml': yaml });
  dirs.push(dir);
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain', ...args], { cwd: dir, env: { OUTSIDE: outside } });
  return { dir, id: runIdFrom(r), r };
}

test('an output under a parent folder that links outside fails the task and moves nothing', async () => {
  const { dir, id, r } = await run(`
version: 1
name: esc
steps:
  link:
    run: ln -s "$OUTSIDE" sub
    outputs: [sub/file, sub/dir]
`);
  expect(r.exitCode).toBe(1);
  const task = await StoreReader.of(dir).task('esc', id, 'link');
  expect(task.state).toBe('failed');
  expect(task.reason).toMatch(/Output sub\/file resolves through a symlink to .*\/file, outside the task directory/);
  await expectOutsideUntouched();
});

test('other ways out: a link to a link, .. in a link, a link to the directory above', async () => {
  for (const [how, out] of [
    ['ln -s "$OUTSIDE" a && ln -s a b', 'b/file'],
    ['mkdir -p x/y && ln -s "$(realpath --relative-to=x/y "$OUTSIDE")" x/y/up', 'x/y/up/dir'],
    // The slot around the task directory is outside it too.
    ['echo mine > ../x && ln -s .. parent', 'parent/x'],
  ]) {
    const { dir, id, r } = await run(`
version: 1
name: esc
steps:
  link: { run: ${JSON.stringify(how)}, outputs: [${JSON.stringify(out)}] }
`);
    expect(r.exitCode).toBe(1);
    expect((await StoreReader.of(dir).task('esc', id, 'link')).reason).toMatch(/resolves through a symlink to .*, outside the task directory/);
    await expectOutsideUntouched();
  }
});

test('a task that replaces its own directory with a link outside: nothing collected or cleaned through it', async () => {
  // Three tasks on one worker: the replaced directory's slot is handed back and recycled in between.
  const { dir, id, r } = await run(`
version: 1
name: esc
steps:
  swap:
    foreach: [1, 2, 3]
    run: cd .. && mv work gone && ln -s "$OUTSIDE" work && echo "n=1" > "$FLOW_VALUES"
    outputs: [file]
`, ['--max-workers', '1']);
  expect(r.exitCode).toBe(1);
  const tasks = await StoreReader.of(dir).tasks('esc', id, 'swap');
  for (const t of tasks) {
    expect(t.state).toBe('failed');
    expect(t.reason).toMatch(/replaced its task directory with a symlink/);
    expect(t.outputs).toEqual([]);
  }
  await expectOutsideUntouched();
});

test('FLOW_VALUES replaced by a link (to /dev/zero, to a file elsewhere) fails the task with a clear reason', async () => {
  const { dir, id, r } = await run(`
version: 1
name: esc
steps:
  zero: { run: ln -sf /dev/zero "$FLOW_VALUES" }
  secret: { run: ln -sf "$OUTSIDE/file" "$FLOW_VALUES" }
`);
  expect(r.exitCode).toBe(1);
  for (const step of ['zero', 'secret']) {
    const t = await StoreReader.of(dir).task('esc', id, step);
    expect(t.state).toBe('failed');
    expect(t.reason).toBe('bad FLOW_VALUES file: FLOW_VALUES must be a regular file written by the task, not a symlink');
  }
  await expectOutsideUntouched();
});
