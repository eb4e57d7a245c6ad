/** A run that says `running` but stopped heartbeating (kill -9, lost machine) shows as dead?. */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, json, makeProject, runFlow } from './helpers.js';

test('stale heartbeat: dead? in text, stale in JSON, --status dead, and logs --follow stops with a warning', async () => {
  const cwd = await makeProject({ 'flow.yaml': 'version: 1\nname: ghost\nsteps:\n  hello:\n    run: echo boo\n' });
  const { id } = await runFlow(cwd, 'flow.yaml');
  const runDir = path.join(cwd, '.flowctl/flows/ghost/runs', id);
  const rec = JSON.parse(await readFile(path.join(runDir, 'run.json'), 'utf8'));
  const old = new Date(Date.now() - 5 * 60_000).toISOString();
  // What a killed run leaves: state running, an old heartbeat, a task with an attempt but no task.json.
  await writeFile(path.join(runDir, 'run.json'), JSON.stringify({ ...rec, state: 'running', finishedAt: undefined, heartbeatAt: old }));
  await rm(path.join(runDir, 'steps/hello/tasks/0/task.json'));

  const text = await flowctl(['show', 'ghost'], { cwd });
  expect(text.stdout).toMatch(new RegExp(`^${id.replace('.', '\\.')}\\s+dead\\?\\s+\\S+ \\S+\\s+-\\s+tester`, 'm'));
  expect((await json(['show', 'ghost'], cwd)).runs[0]).toMatchObject({ state: 'running', stale: true, durationMs: null });
  expect((await json(['show', 'ghost', '--status', 'dead'], cwd)).runs).toHaveLength(1);
  expect((await json(['show', 'ghost', '--status', 'running'], cwd)).runs).toHaveLength(0);
  expect((await flowctl(['show', id], { cwd })).stdout).toMatch(/^state\s+dead\? \(no heartbeat since .+\)$/m);
  expect((await json(['show', `${id}/hello`], cwd)).tasks[0]).toMatchObject({ taskId: '0', state: 'running', attempts: 1 });

  const follow = await flowctl(['logs', `${id}/hello/0`, '--follow'], { cwd });
  expect(follow).toMatchObject({ exitCode: 0, stdout: 'boo' });
  expect(follow.stderr).toMatch(/stopped heartbeating \(it may have died\); stopped following/);
});
