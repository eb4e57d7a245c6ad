/** A run whose tasks were reused from an earlier run (cache hit): show says where from, logs show the producer's. */
import path from 'node:path';
import { ClientContext, producingTask, Run } from '../../src/index.js';
import { flowctl, json, makeProject, runFlow } from './helpers.js';

test('cached tasks: CACHED FROM in show, the producing task\'s logs in logs', async () => {
  const cwd = await makeProject({ 'flow.yaml': 'version: 1\nname: twice\nsteps:\n  hello:\n    run: echo hello from $FLOW_RUN_ID\n    outputs: []\n' });
  const first = (await runFlow(cwd, 'flow.yaml')).id;
  const second = (await runFlow(cwd, 'flow.yaml')).id;
  const task = (await json(['show', `${second}/hello/0`], cwd)).task;
  expect(task).toMatchObject({ state: 'cached', attempts: 0, reuse: 'cache', cachedFrom: { runId: first, step: 'hello', taskId: '0' } });
  expect((await flowctl(['show', `${second}/hello`], { cwd })).stdout).toMatch(new RegExp(`^0\\s+-\\s+cached\\s+0\\s.*\\s${first.replace('.', '\\.')}/hello/0\\s+-$`, 'm'));
  expect((await flowctl(['show', `${second}/hello/0`], { cwd })).stdout).toMatch(new RegExp(`^cache\\s+reused from twice/${first.replace('.', '\\.')}/hello/0$`, 'm'));

  const logs = await flowctl(['logs', `${second}/hello/0`], { cwd });
  expect(logs.stdout).toBe(`hello from ${first}`);
  expect(logs.stderr).toMatch(/was cached from twice\/\S+\/hello\/0; showing its logs/);
  expect((await json(['logs', `twice/${second}/hello`], cwd)).logs[0]).toMatchObject({ pathspec: `twice/${second}/hello/0`, source: `twice/${first}/hello/0`, attempt: 1 });

  const ctx = new ClientContext({ datastore: path.join(cwd, '.flowctl'), namespace: null });
  const ran = await producingTask((await Run.get(second, ctx)).step('hello').task(0));
  expect(ran.pathspec).toBe(`twice/${first}/hello/0`);
});

test('a resumed run shows its origin; its cloned tasks say where they came from', async () => {
  const cwd = await makeProject({
    'flow.yaml': 'version: 1\nname: again\nsteps:\n  first:\n    run: echo one\n  second:\n    needs: [first]\n    run: test -n "$PASS"\n',
  });
  const { id: failed, r } = await runFlow(cwd, 'flow.yaml');
  expect(r.exitCode).toBe(1);
  const resumed = await flowctl(['resume', failed], { cwd, env: { FLOWCTL_USER: 'tester', PASS: '1' } });
  const id = resumed.stdout.trim().split('\n').pop()!;
  const v = await json(['show', id], cwd);
  expect(v.run).toMatchObject({ originRunId: failed, resumedFrom: null });
  const runs = await flowctl(['show', 'again'], { cwd });
  expect(runs.stdout).toMatch(new RegExp(`^${id.replace('.', '\\.')}\\s.*\\s${failed.replace('.', '\\.')}$`, 'm'));
  expect((await flowctl(['show', id], { cwd })).stdout).toMatch(new RegExp(`^origin\\s+${failed.replace('.', '\\.')}$`, 'm'));
  expect((await json(['show', `${id}/first/0`], cwd)).task).toMatchObject({ state: 'cached', reuse: 'resume', cachedFrom: { runId: failed } });
  expect((await flowctl(['show', `${id}/first/0`], { cwd })).stdout).toMatch(/^cache\s+cloned from again\/\S+\/first\/0 \(resume\)$/m);
  const ctx = new ClientContext({ datastore: path.join(cwd, '.flowctl'), namespace: null });
  expect((await (await Run.get(id, ctx)).origin())?.id).toBe(failed);
});
