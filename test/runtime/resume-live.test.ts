/**
 * `resume` of a run that is still alive (says running, heartbeat under 30 s old) would execute
 * its unfinished tasks a second time: it is refused (exit 2) unless --force. A run whose
 * heartbeat went stale (dead?) is resumed as any failed run.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BIN, flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const FLOW = `
version: 1
name: slow
steps:
  first:
    run: echo one > one.txt
    outputs: [one.txt]
  second:
    needs: [first]
    run: for i in $(seq 1 300); do [ -e "$RELEASE" ] && break; sleep 0.1; done; echo "ran once" >> "$RELEASE.count"; cat one.txt > two.txt
    outputs: [two.txt]
`;

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function waitFor(what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const runCount = async (dir: string) => (await readdir(path.join(dir, '.flowctl/runs'))).length;

test('a live run is not resumed (exit 2, naming host, pid and heartbeat); --force resumes it', async () => {
  const dir = await makeProject({ 'flow.yaml': FLOW });
  dirs.push(dir);
  const release = path.join(dir, 'release');
  const env = { FLOWCTL_USER: 'tester', RELEASE: release };
  const idFile = path.join(dir, 'id.txt');
  const live = execa('node', [BIN, 'run', 'flow.yaml', '--run-id-file', idFile], { cwd: dir, env, reject: false });
  const s = StoreReader.of(dir);
  let id = '';
  await waitFor('the run to record its first task', async () => {
    id = existsSync(idFile) ? (await readFile(idFile, 'utf8')).trim() : '';
    return id !== '' && existsSync(path.join(s.root, `flows/slow/runs/${id}/steps/first/tasks/0/task.json`));
  });

  const refused = await flowctl(['resume', id], { cwd: dir, env });
  expect(refused.exitCode).toBe(2);
  expect(refused.stdout).toBe('');
  expect(refused.stderr).toMatch(new RegExp(
    `^error: run ${id.replace('.', '\\.')} is still running \\(host ${os.hostname()}, pid ${live.pid}, last heartbeat \\d+s ago\\); ` +
      'resuming it now would run its unfinished tasks a second time\\n {2}hint: wait for it to end .*pass --force',
  ));
  expect(await runCount(dir)).toBe(1);

  const forced = flowctl(['resume', id, '--force'], { cwd: dir, env });
  await waitFor('the forced resume to start', async () => (await runCount(dir)) === 2);
  await writeFile(release, '');
  const [first, second] = await Promise.all([live, forced]);
  expect(first.exitCode).toBe(0);
  expect(second.exitCode).toBe(0);
  const rid = runIdFrom(second);
  expect(await s.run('slow', rid)).toMatchObject({ originRunId: id, state: 'succeeded' });
  expect(await s.task('slow', rid, 'first')).toMatchObject({ state: 'cached', reuse: 'resume' });
  // two copies ran `second`: what --force means, and why it is not the default
  expect(await readFile(`${release}.count`, 'utf8')).toBe('ran once\nran once\n');
}, 120_000);

test('a run whose heartbeat is stale (dead?) resumes without --force; a fresh heartbeat of a vanished process needs it', async () => {
  const dir = await makeProject({ 'flow.yaml': FLOW.replace('for i in $(seq 1 300); do [ -e "$RELEASE" ] && break; sleep 0.1; done; ', 'test -e "$RELEASE" || exit 1; ') });
  dirs.push(dir);
  const release = path.join(dir, 'release');
  const env = { RELEASE: release };
  const failed = await flowctl(['run', 'flow.yaml'], { cwd: dir, env });
  expect(failed.exitCode).toBe(1);
  const id = runIdFrom(failed);
  const s = StoreReader.of(dir);
  const runJson = path.join(s.root, `flows/slow/runs/${id}/run.json`);
  const rec = await s.run('slow', id);
  await writeFile(release, '');

  // What a kill -9 leaves, a moment later: running, heartbeat fresh, its process gone.
  await writeFile(runJson, JSON.stringify({ ...rec, state: 'running', finishedAt: undefined, heartbeatAt: new Date().toISOString() }));
  const fresh = await flowctl(['resume', id], { cwd: dir, env });
  expect(fresh.exitCode).toBe(2);
  expect(fresh.stderr).toMatch(new RegExp(`hint: its process \\(pid ${rec.pid}\\) is gone from this machine, so it was probably killed: pass --force to resume it now`));

  // Half a minute later the heartbeat is stale: `show` says dead?, and resume needs no --force.
  await writeFile(runJson, JSON.stringify({ ...rec, state: 'running', finishedAt: undefined, heartbeatAt: new Date(Date.now() - 60_000).toISOString() }));
  const stale = await flowctl(['resume', id], { cwd: dir, env });
  expect(stale.exitCode).toBe(0);
  const rid = runIdFrom(stale);
  expect(await s.task('slow', rid, 'first')).toMatchObject({ state: 'cached', reuse: 'resume' });
  expect(await s.task('slow', rid, 'second')).toMatchObject({ state: 'succeeded' });
});
