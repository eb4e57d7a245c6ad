/**
 * The "why" of a task that is not reused names the key part that changed, the same in
 * `run --dry-run` (text and JSON) and in `show RUN/STEP/TASK` once it ran: here the step's env
 * and a foreach item.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';
import { esc, plan, task } from './dry-run-helpers.js';

const FLOW = `version: 1
name: why
params:
  sets: { type: list, default: [a, b, c] }
defaults:
  params: []
steps:
  one:
    env: { MODE: fast }
    run: echo $MODE
    deps: []
  each:
    foreach: \${{ params.sets }}
    run: echo \${{ item }}
    deps: []
`;

test('env and item changes are named, in the plan and in show', async () => {
  const cwd = await makeProject({ 'flow.yaml': FLOW });
  const first = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd }));
  await writeFile(path.join(cwd, 'flow.yaml'), FLOW.replace('MODE: fast', 'MODE: slow'));
  const sets = ['-p', 'sets=["a","x","c"]'];

  const p = await plan(cwd, {}, sets);
  expect(p.tasks.map((t: any) => [t.step, t.taskId, t.state])).toEqual([
    ['one', '0', 'would-run'], ['each', '0', 'cached'], ['each', '1', 'would-run'], ['each', '2', 'cached']]);
  expect(task(p, 'one').cache.changes).toEqual([expect.objectContaining({ part: 'env', name: 'MODE', change: 'changed', text: 'env MODE changed' })]);
  expect(task(p, 'each', '1').cache.changes.map((c: any) => [c.part, c.text])).toEqual([
    ['command', 'command: echo b → echo x'], ['item', 'item: "b" → "x"']]);
  expect(task(p, 'each', '1').item).toBe('x');

  const text = (await flowctl(['run', 'flow.yaml', '--dry-run', ...sets], { cwd })).stdout;
  const vs = (step: string, id: string) => ` \\(compared with why/${esc(first)}/${step}/${id}\\)$`;
  expect(text).toMatch(new RegExp(`^one\\s+0\\s+run\\s+env MODE changed${vs('one', '0')}`, 'm'));
  expect(text).toMatch(new RegExp(`^each\\s+1\\s+run\\s+command: echo b → echo x; item: "b" → "x"${vs('each', '1')}`, 'm'));
  expect(text).toMatch(new RegExp(`^each\\s+0\\s+cached\\s+reused from why/${esc(first)}$`, 'm'));

  const second = runIdFrom(await flowctl(['run', 'flow.yaml', ...sets], { cwd }));
  expect((await flowctl(['show', `${second}/one/0`], { cwd })).stdout).toMatch(new RegExp(`^cache\\s+ran: env MODE changed${vs('one', '0')}`, 'm'));
  expect((await flowctl(['show', `${second}/each/1`], { cwd })).stdout).toMatch(new RegExp(`^cache\\s+ran: command: echo b → echo x; item: "b" → "x"${vs('each', '1')}`, 'm'));
  const shown = JSON.parse((await flowctl(['show', `${second}/each/1`, '--json'], { cwd })).stdout);
  expect(shown.cache).toEqual({ ...task(p, 'each', '1').cache, status: 'ran', summary: expect.stringMatching(/^ran: /) });
});
