/**
 * Damaged records through the real CLI: one bad run.json, task.json, attempt.json or tags
 * file spoils only the views of that run or task. `show`, `show FLOW` (text and --json) list
 * it as damaged with the reason; `show` of that run or task exits 1 naming the file; runs and
 * tasks beside it show as before; `run` and `resume` treat damaged cache entries and task
 * records as absent and never crash.
 */
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, STACK } from './helpers.js';

const FLOW = `version: 1
name: f
steps:
  a:
    run: echo a > a.txt
    outputs: [a.txt]
  b:
    needs: [a]
    foreach: [1, 2, 3]
    run: echo item \${{ item }}
`;

let cwd: string;
let ids: string[];
const store = (...p: string[]) => path.join(cwd, '.flowctl', ...p);
const runDir = (id: string, ...p: string[]) => store('flows', 'f', 'runs', id, ...p);
const cli = async (args: string[]) => {
  const r = await flowctl(args, { cwd, env: { NO_COLOR: '1' } });
  expect(r.stderr).not.toMatch(STACK);
  return r;
};

beforeAll(async () => {
  cwd = await makeProject({ 'flow.yaml': FLOW });
  ids = [];
  for (let i = 0; i < 3; i++) ids.push(runIdFrom(await cli(['run', 'flow.yaml', '-q', '--no-cache'])));
}, 120_000);
afterAll(async () => {
  await rm(cwd, { recursive: true, force: true });
});

test('a truncated run.json: listings show it damaged with the reason, show RUN exits 1 naming it, the other runs show', async () => {
  const [a, b, c] = ids as [string, string, string];
  await writeFile(runDir(b, 'run.json'), '{\n  "formatVersion": 1,\n  "flow": "f",\n  "runId": "');
  const key = `flows/f/runs/${b}/run.json`;

  const flows = await cli(['show']);
  expect(flows.exitCode).toBe(0);
  expect(flows.stdout).toMatch(new RegExp(`^f\\s+${c}\\s+succeeded`, 'm'));

  const text = await cli(['show', 'f']);
  expect(text.exitCode).toBe(0);
  expect(text.stdout).toMatch(new RegExp(`^${c}\\s+succeeded`, 'm'));
  expect(text.stdout).toMatch(new RegExp(`^${b}\\s+damaged`, 'm'));
  expect(text.stdout).toMatch(new RegExp(`^${a}\\s+succeeded`, 'm'));
  expect(text.stdout).toContain(`damaged: ${b}: ${key} is damaged: not valid JSON`);

  const json = await cli(['show', 'f', '--json']);
  expect(json.exitCode).toBe(0);
  const runs = JSON.parse(json.stdout).runs as Array<{ runId: string; state: string; error: string | null }>;
  expect(runs.map((r) => [r.runId, r.state])).toEqual([[c, 'succeeded'], [b, 'damaged'], [a, 'succeeded']]);
  expect(runs[1]!.error).toMatch(new RegExp(`^${key.replace(/\./g, '\\.')} is damaged: not valid JSON`));

  expect((await cli(['show', 'f', '--status', 'damaged', '--json'])).stdout).toContain(`"runId": "${b}"`);

  for (const ref of [b, `f/${b}`, `f/${b}/b`, `f/${b}/b/0`]) {
    const r = await cli(['show', ref]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`error: ${key} is damaged: not valid JSON`);
    expect(r.stderr).toContain(`hint: Other runs and tasks are unaffected. Inspect or delete ${key}`);
  }
  expect((await cli(['show', a])).exitCode).toBe(0);
  expect((await cli(['show', `f/${c}/b/2`, '--json'])).exitCode).toBe(0);
  // Resuming it cannot work without its record: a clear error, not a crash.
  const resume = await cli(['resume', b]);
  expect(resume.exitCode).toBe(1);
  expect(resume.stderr).toContain(`error: ${key} is damaged`);
}, 120_000);

test('a task.json of the wrong shape and a binary attempt.json: only that task\'s view is affected', async () => {
  const c = ids[2]!;
  await writeFile(runDir(c, 'steps', 'b', 'tasks', '1', 'task.json'), '[]\n');
  await writeFile(runDir(c, 'steps', 'b', 'tasks', '2', 'attempts', '1', 'attempt.json'), Buffer.from([0, 0xff, 0xfe, 0x01]));
  const taskKey = `flows/f/runs/${c}/steps/b/tasks/1/task.json`;

  const run = await cli(['show', c]);
  expect(run.exitCode).toBe(0);
  expect(run.stdout).toMatch(/^b\s+damaged\s+3\s+2 succeeded, 1 damaged/m);
  const step = JSON.parse((await cli(['show', `f/${c}/b`, '--json'])).stdout);
  expect(step.tasks.map((x: { taskId: string; state: string }) => [x.taskId, x.state])).toEqual([['0', 'succeeded'], ['1', 'damaged'], ['2', 'succeeded']]);
  expect(step.tasks[1].error).toBe(`${taskKey} is damaged: not a record: a JSON array, not an object`);
  expect((await cli(['show', `f/${c}/b`])).stdout).toMatch(/^1\s+-\s+damaged .*tasks\/1\/task\.json is damaged: not a record/m);

  const bad = await cli(['show', `f/${c}/b/1`]);
  expect(bad.exitCode).toBe(1);
  expect(bad.stderr).toContain(`error: ${taskKey} is damaged`);
  const withBadAttempt = JSON.parse((await cli(['show', `f/${c}/b/2`, '--json'])).stdout);
  expect(withBadAttempt).toMatchObject({ task: { state: 'succeeded', error: null }, attempts: [{ attempt: 1, state: 'damaged', error: expect.stringContaining('attempt.json is damaged: not text (binary content)') }] });
  // Every task's logs, the damaged one's included (its attempts are intact).
  const logs = await cli(['logs', `f/${c}/b`]);
  expect(logs.exitCode).toBe(0);
  expect(logs.stdout).toMatch(/item 1[\s\S]*item 2[\s\S]*item 3/);
}, 120_000);

test('run and resume treat damaged cache entries and task records as absent: the tasks run again, nothing crashes', async () => {
  const first = runIdFrom(await cli(['run', 'flow.yaml', '-q']));
  const entries: string[] = [];
  for (const d of await readdir(store('cache', 'tasks'))) for (const f of await readdir(store('cache', 'tasks', d))) entries.push(store('cache', 'tasks', d, f));
  expect(entries.length).toBeGreaterThanOrEqual(4);
  const damages = ['', '[]', 'null', '{"flow": "..", "runId": "x", "step": "y", "taskId": "z"}', '\u0000\u00ff', '{"flow": "f"'];
  await Promise.all(entries.map((e, i) => writeFile(e, damages[i % damages.length]!)));
  const second = await cli(['run', 'flow.yaml', '--output', 'plain']);
  expect(second.exitCode).toBe(0);
  expect(second.stderr).toMatch(/task a\/0: succeeded/); // re-ran: no entry was usable
  const again = runIdFrom(second);

  // A source task whose record lost its outputs is no cache hit either.
  await writeFile(runDir(again, 'steps', 'a', 'tasks', '0', 'task.json'), JSON.stringify({ runId: again, step: 'a', taskId: '0', state: 'succeeded', values: {}, attempts: 1 }));
  const third = await cli(['run', 'flow.yaml', '--output', 'plain']);
  expect(third.exitCode).toBe(0);
  expect(third.stderr).toMatch(/task a\/0: succeeded/);
  const thirdId = runIdFrom(third);

  // resume: a damaged task of the origin is not cloned (it runs, or comes from the cache), the rest is.
  await writeFile(runDir(thirdId, 'steps', 'b', 'tasks', '1', 'task.json'), '{"runId": "');
  await rm(store('cache', 'tasks'), { recursive: true, force: true });
  const resumed = await cli(['resume', thirdId, '--output', 'plain']);
  expect(resumed.exitCode).toBe(0);
  expect(resumed.stderr).toMatch(/task b\/1: succeeded/);
  expect(resumed.stderr).toMatch(/task b\/0: cached \(from [^)]*\/b\/0\)/);
  expect(first).not.toBe(thirdId);
}, 180_000);
