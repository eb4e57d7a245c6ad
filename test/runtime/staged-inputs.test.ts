/**
 * Nothing a task does to a staged input reaches the store (DESIGN §2). Staged files are hard
 * links to store objects; a task can `chmod u+w` one and write through it. flowctl checks
 * every staged file after the attempt: a changed content fails the task, quarantines the
 * object and says so in the attempt record; the next run re-produces it. As root (the CLI's
 * tasks run without root's file-permission override) and as an ordinary user.
 */
import { execa } from 'execa';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BIN, flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const isRoot = process.getuid?.() === 0;
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function project(files: Record<string, string>): Promise<string> {
  const dir = await makeProject(files);
  dirs.push(dir);
  return dir;
}

const flow = (tamper: string, extra = '') => `
version: 1
name: tamper
steps:
  make: { run: echo original > data.txt, outputs: [data.txt] }
  tamper:
    needs: [make]
    retry: 3
    run: ${JSON.stringify(tamper)}
  check:
    needs: [make, tamper]
    run: cat data.txt > seen.txt
    outputs: [seen.txt]
${extra}`;

async function attempts(s: StoreReader, id: string, step: string): Promise<any[]> {
  const dir = path.join(s.root, `flows/tamper/runs/${id}/steps/${step}/tasks/0/attempts`);
  return Promise.all(readdirSync(dir).sort().map((n) => s.json(`flows/tamper/runs/${id}/steps/${step}/tasks/0/attempts/${n}/attempt.json`)));
}

/** The run's damage was caught: the task failed once (no retry), the record says what and why, the object is quarantined. */
async function expectCaught(dir: string, r: { exitCode: number; stdout: string; stderr: string }, input = 'data.txt'): Promise<void> {
  expect(r.exitCode).toBe(1);
  const s = StoreReader.of(dir);
  const id = runIdFrom(r);
  const task = await s.task('tamper', id, 'tamper');
  expect(task.state).toBe('failed');
  expect(task.reason).toMatch(new RegExp(`modified its staged input ${input.replace('.', '\\.')} in place \\(the damaged object was moved to the store's quarantine/`));
  const [only, ...more] = await attempts(s, id, 'tamper');
  expect(more).toEqual([]); // not retried: another attempt would only find the input gone
  expect(only.inputProblems).toEqual([{ path: input, hash: expect.any(String), changed: 'content', repair: 'object quarantined' }]);
  await expect(stat(s.objectPath(only.inputProblems[0].hash))).rejects.toMatchObject({ code: 'ENOENT' });
  expect(readdirSync(path.join(s.root, 'quarantine'))).toEqual([expect.stringMatching(new RegExp(`^${only.inputProblems[0].hash}\\.`))]);
}

/** The next run (the task now only reads) re-produces the object (its cache entry is a miss) and every task reads the right bytes. */
async function expectRepairedNextRun(dir: string, run: (args: string[]) => Promise<{ exitCode: number; stdout: string; stderr: string }>): Promise<void> {
  await writeFile(path.join(dir, 'flow.yaml'), flow('cat data.txt'));
  const r = await run(['run', 'flow.yaml', '--output', 'plain']);
  expect(r.exitCode).toBe(0);
  const s = StoreReader.of(dir);
  const id = runIdFrom(r);
  expect((await s.task('tamper', id, 'make')).state).toBe('succeeded'); // ran again, not cached
  expect(await s.output('tamper', id, 'make', '0', 'data.txt')).toBe('original\n');
  expect(await s.output('tamper', id, 'check', '0', 'seen.txt')).toBe('original\n');
}

describe('a task that writes to a staged input through chmod', () => {
  test(`is caught and fails; the object is quarantined; the next run re-produces it (${isRoot ? 'as root' : 'as a normal user'})`, async () => {
    const dir = await project({ 'flow.yaml': flow('chmod u+w data.txt && echo tampered >> data.txt') });
    const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
    await expectCaught(dir, r);
    expect(r.stdout + r.stderr).toMatch(/modified its staged input data\.txt in place/);
    await expectRepairedNextRun(dir, (args) => flowctl(args, { cwd: dir }));
  });

  (isRoot ? test : test.skip)('is caught for an ordinary user too (the whole CLI as nobody)', async () => {
    const dir = await project({ 'flow.yaml': flow('chmod u+w data.txt && printf x | dd of=data.txt conv=notrunc 2>/dev/null') });
    const home = await mkdtemp(path.join(os.tmpdir(), 'flowctl-home-'));
    dirs.push(home);
    await execa('chown', ['-R', '65534:65534', dir, home]);
    const asNobody = (args: string[]) => runAs(65534, dir, home, args);
    const r = await asNobody(['run', 'flow.yaml', '--output', 'plain']);
    await expectCaught(dir, r);
    await expectRepairedNextRun(dir, asNobody);
  });

  test('that writes and then deletes its link is still caught (the object itself is checked)', async () => {
    const dir = await project({ 'flow.yaml': flow('chmod u+w data.txt && echo tampered >> data.txt && rm -f data.txt') });
    await expectCaught(dir, await flowctl(['run', 'flow.yaml'], { cwd: dir }));
  });

  test('that only changes the mode is not failed: the mode is reset and the record says so', async () => {
    const dir = await project({ 'flow.yaml': flow('chmod 644 data.txt && cat data.txt') });
    const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    const [a] = await attempts(s, id, 'tamper');
    expect(a.inputProblems).toEqual([{ path: 'data.txt', hash: expect.any(String), changed: 'metadata', repair: 'content intact; mode and mtime reset' }]);
    expect((await stat(s.objectPath(a.inputProblems[0].hash))).mode & 0o777).toBe(0o444);
    expect(await s.output('tamper', id, 'check', '0', 'seen.txt')).toBe('original\n');
  });

  test('that changes a project file (staged code) in place is caught; the next run stages the project\'s own file again', async () => {
    const dir = await project({
      'code.txt': 'project code\n',
      'flow.yaml': `
version: 1
name: tamper
steps:
  tamper: { run: chmod u+w code.txt && echo tampered >> code.txt }
`,
    });
    await expectCaught(dir, await flowctl(['run', 'flow.yaml'], { cwd: dir }), 'code.txt');
    expect(await readFile(path.join(dir, 'code.txt'), 'utf8')).toBe('project code\n');
    await writeFile(path.join(dir, 'flow.yaml'), `version: 1\nname: tamper\nsteps:\n  read: { run: cat code.txt > seen.txt, outputs: [seen.txt] }\n`);
    const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(await StoreReader.of(dir).output('tamper', runIdFrom(r), 'read', '0', 'seen.txt')).toBe('project code\n');
  });

  const sibling = (tamper: string, reader: string) => flow(tamper, `
  reader:
    needs: [make]
    run: ${JSON.stringify(reader)}
`);
  const SHARED = (other: string) => new RegExp(`^its staged input data\\.txt changed in place while this attempt and ${other}/0 had it staged \\(one of these tasks wrote to it: a hard-linked input cannot tell which; `);

  test('a sibling that had the same input staged and finishes first is not blamed: both name each other, whichever looks first', async () => {
    const cases: Array<[string, string, string]> = [
      // the writer is still running when the reader, done, finds the change (the reported case)
      ['reader finishes first', 'chmod u+w data.txt && echo tampered >> data.txt && sleep 2', 'sleep 1 && cat data.txt'],
      // the writer finishes first, while the reader still has the input staged
      ['writer finishes first', 'chmod u+w data.txt && echo tampered >> data.txt', 'sleep 1.5 && cat data.txt'],
    ];
    for (const [label, tamperCmd, readerCmd] of cases) {
      const dir = await project({ 'flow.yaml': sibling(tamperCmd, readerCmd) });
      const r = await flowctl(['run', 'flow.yaml', '--max-workers', '2'], { cwd: dir });
      expect(r.exitCode).toBe(1);
      const s = StoreReader.of(dir);
      const id = runIdFrom(r);
      const tamper = await s.task('tamper', id, 'tamper');
      const reader = await s.task('tamper', id, 'reader');
      expect([label, tamper.state, reader.state]).toEqual([label, 'failed', 'failed']);
      expect([label, tamper.reason]).toEqual([label, expect.stringMatching(SHARED('reader'))]);
      expect([label, reader.reason]).toEqual([label, expect.stringMatching(SHARED('tamper'))]);
      for (const reason of [tamper.reason, reader.reason]) expect(reason).not.toMatch(/modified its staged input/);
      // The first to look quarantined the object; the other found it already gone.
      const [first, second] = label === 'reader finishes first' ? [reader, tamper] : [tamper, reader];
      expect(first.reason).toMatch(/moved to the store's quarantine/);
      expect(second.reason).toMatch(/what the task read cannot be trusted/);
      expect(readdirSync(path.join(s.root, 'quarantine'))).toHaveLength(1);
    }
  });

  test('a sibling that found the input intact before it changed is not named: the writer is told for certain', async () => {
    const dir = await project({ 'flow.yaml': sibling('sleep 1.5 && chmod u+w data.txt && echo tampered >> data.txt', 'cat data.txt') });
    const r = await flowctl(['run', 'flow.yaml', '--max-workers', '2'], { cwd: dir });
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    expect((await s.task('tamper', id, 'reader')).state).toBe('succeeded');
    await expectCaught(dir, r);
  });
});

/** Run the built CLI as another user (it may read the repository whatever its modes, never write past them). */
async function runAs(uid: number, cwd: string, home: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const caps = ['--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search'];
  const r = await execa('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...caps, '--', process.execPath, BIN, ...args], {
    cwd, reject: false, env: { HOME: home, FLOWCTL_USER: 'tester', PATH: process.env.PATH }, extendEnv: false,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
