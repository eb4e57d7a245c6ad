/** The client API reads a cached task's logs from the task that ran, as `flowctl logs` does (issue 17, item 4). */
import path from 'node:path';
import { Run, datastore, namespace } from '../../src/index.js';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';

const FLOW = `
version: 1
name: cachedlogs
steps:
  fit:
    foreach: [0, 1, 2]
    run: echo "out \${{ item }}"; echo "err \${{ item }}" >&2
`;

let cwd: string;
let first: string;
let second: string;

beforeAll(async () => {
  cwd = await makeProject({ 'flow.yaml': FLOW });
  first = runIdFrom(await flowctl(['run', 'flow.yaml', '-q'], { cwd }));
  second = runIdFrom(await flowctl(['run', 'flow.yaml', '-q'], { cwd }));
  namespace('user:tester');
  datastore(path.join(cwd, '.flowctl'));
}, 60_000);

afterAll(async () => {
  namespace(null);
  datastore(null);
});

test('task(2).logs() of a cached task are those of the task that produced it', async () => {
  const task = await (await Run.get(`cachedlogs/${second}`)).step('fit').task(2).load();
  expect(task.state).toBe('cached');
  expect(task.attemptCount).toBe(0);
  expect(await task.logs()).toBe('out 2\n');
  expect(await task.logs({ attempt: 1, stream: 'stderr' })).toBe('err 2\n');
  // the same text the CLI prints for it
  expect((await flowctl(['logs', `cachedlogs/${second}/fit/2`], { cwd })).stdout).toBe('out 2'); // execa drops the last newline
  // a task that really ran reads its own
  expect(await (await Run.get(`cachedlogs/${first}`)).step('fit').task(1).logs()).toBe('out 1\n');
});

test('an attempt the producing task does not have is still NOT_FOUND', async () => {
  const task = (await Run.get(`cachedlogs/${second}`)).step('fit').task(0);
  await expect(task.logs({ attempt: 3 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
});
