/** A run that stopped heartbeating (kill -9, a lost machine) shows as dead and is not followed (the server in process). */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ClientContext } from '../../src/client/index.js';
import { startUiServer, type UiServer } from '../../src/web/server.js';
import { flowctl, makeProject, REPO, runIdFrom } from '../helpers/cli.js';
import { getJson, readSse } from './helpers.js';

let cwd: string;
let id: string;
let server: UiServer;

beforeAll(async () => {
  cwd = await makeProject({ 'flow.yaml': 'version: 1\nname: ghost\nsteps:\n  hello:\n    run: echo boo\n  after:\n    needs: [hello]\n    run: echo after\n' });
  id = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd }));
  const runDir = path.join(cwd, '.flowctl/flows/ghost/runs', id);
  const rec = JSON.parse(await readFile(path.join(runDir, 'run.json'), 'utf8'));
  // What a killed run leaves: state running, an old heartbeat, a task with an attempt but no task.json.
  await writeFile(path.join(runDir, 'run.json'), JSON.stringify({ ...rec, state: 'running', finishedAt: undefined, heartbeatAt: new Date(Date.now() - 5 * 60_000).toISOString() }));
  await rm(path.join(runDir, 'steps/hello/tasks/0/task.json'));
  await rm(path.join(runDir, 'steps/after'), { recursive: true });
  // …and its event log up to the moment hello's attempt started.
  const events = (await readFile(path.join(runDir, 'events.ndjson'), 'utf8')).split('\n');
  const cut = events.findIndex((l) => l.includes('"attempt-started"') && l.includes('"hello"'));
  await writeFile(path.join(runDir, 'events.ndjson'), `${events.slice(0, cut + 1).join('\n')}\n`);
  server = await startUiServer({ ctx: new ClientContext({ datastore: path.join(cwd, '.flowctl'), namespace: null }), appDir: path.join(REPO, 'dist/web/app') });
}, 30_000);

afterAll(async () => {
  await server?.close();
  await rm(cwd, { recursive: true, force: true });
});

test('a dead run: status dead, its unfinished task running, the step after it pending, and no live stream to wait on', async () => {
  const base = server.url.replace(/\/$/, '');
  const snap = (await getJson(`${base}/api/runs/ghost/${id}`)).body;
  expect(snap.run).toMatchObject({ state: 'running', status: 'dead', stale: true });
  expect(snap.eventsOffset).toBeNull();
  expect(snap.tasks.hello).toEqual([expect.objectContaining({ taskId: '0', state: 'running', attempts: 1 })]);
  expect(snap.steps.map((s: { step: string; state: string }) => [s.step, s.state])).toEqual([['hello', 'running'], ['after', 'pending']]);
  expect((await getJson(`${base}/api/flows/ghost/runs?state=dead`)).body.runs.map((r: { runId: string }) => r.runId)).toEqual([id]);
  expect((await getJson(`${base}/api/flows/ghost/runs?state=running`)).body.runs).toEqual([]);
  const live = await readSse(`${base}/api/runs/ghost/${id}/live?from=0`, (e) => e.event === 'end', { timeoutMs: 10_000 });
  expect(live.at(-1)).toEqual({ event: 'end', data: { reason: 'run-dead' } });
});
