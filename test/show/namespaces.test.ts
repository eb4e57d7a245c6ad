/** Runs belong to user:<name> (or --namespace/--production); show, logs and tag honour the current namespace. */
import { flowctl, json, makeProject, runFlow } from './helpers.js';

let cwd: string;
const ids: Record<string, string> = {};

beforeAll(async () => {
  cwd = await makeProject({ 'flow.yaml': 'version: 1\nname: tiny\nsteps:\n  hello:\n    run: echo hi from $FLOW_RUN_ID\n' });
  ids.alice = (await runFlow(cwd, 'flow.yaml', [], { FLOWCTL_USER: 'alice' })).id;
  ids.bob = (await runFlow(cwd, 'flow.yaml', [], { FLOWCTL_USER: 'bob' })).id;
  ids.prod = (await runFlow(cwd, 'flow.yaml', ['--production'], { FLOWCTL_USER: 'alice' })).id;
  ids.team = (await runFlow(cwd, 'flow.yaml', ['--namespace', 'team-x'], { FLOWCTL_USER: 'carol' })).id;
}, 120000);

const as = (user: string) => ({ FLOWCTL_USER: user });

test('each user sees their own runs by default', async () => {
  const bob = await json(['show', 'tiny'], cwd, as('bob'));
  expect(bob).toMatchObject({ namespace: 'user:bob' });
  expect(bob.runs.map((r: any) => r.runId)).toEqual([ids.bob]);
  expect((await json(['show', 'tiny'], cwd, as('alice'))).runs.map((r: any) => r.runId)).toEqual([ids.alice]);
  expect((await json(['show'], cwd, as('bob'))).flows).toMatchObject([{ flow: 'tiny', latestRun: { runId: ids.bob, user: 'bob' } }]);
  expect((await json(['show', 'tiny/latest'], cwd, as('alice'))).run.runId).toBe(ids.alice);
  const text = await flowctl(['show', 'tiny'], { cwd, env: as('bob') });
  expect(text.stdout).not.toContain(ids.alice);
  expect(text.stdout).not.toMatch(/NAMESPACE/);
});

test('another namespace\'s run is refused by id without --all-namespaces, and shown with it', async () => {
  for (const args of [['show', ids.alice], ['show', `tiny/${ids.alice}/hello`], ['logs', `${ids.alice}/hello/0`], ['tag', 'add', ids.alice, 'x']]) {
    const r = await flowctl(args, { cwd, env: as('bob') });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/is in namespace user:alice, not in the current namespace user:bob\n\s+hint: Pass --namespace user:alice or --all-namespaces/);
  }
  expect((await json(['show', ids.alice, '-A'], cwd, as('bob'))).run).toMatchObject({ user: 'alice', namespace: 'user:alice' });
  expect((await flowctl(['logs', `${ids.alice}/hello/0`, '--all-namespaces'], { cwd, env: as('bob') })).stdout).toBe(`hi from ${ids.alice}`);
});

test('--all-namespaces lists everyone\'s runs with a NAMESPACE column; --namespace picks one', async () => {
  const all = await json(['show', 'tiny', '--all-namespaces'], cwd, as('bob'));
  expect(all.namespace).toBeNull();
  expect(all.runs.map((r: any) => [r.runId, r.namespace])).toEqual([
    [ids.team, 'team-x'], [ids.prod, 'production'], [ids.bob, 'user:bob'], [ids.alice, 'user:alice'],
  ]);
  const text = await flowctl(['show', 'tiny', '-A'], { cwd, env: as('bob') });
  expect(text.stdout.split('\n')[0]).toMatch(/^RUN\s+STATE\s+STARTED\s+DURATION\s+USER\s+NAMESPACE\s+TAGS\s+ORIGIN$/);
  expect(text.stdout).toMatch(new RegExp(`^${ids.prod.replace('.', '\\.')}\\s+succeeded\\s.*\\salice\\s+production\\s`, 'm'));
  expect((await json(['show', 'tiny', '--namespace', 'production'], cwd, as('bob'))).runs.map((r: any) => r.runId)).toEqual([ids.prod]);
  expect((await json(['show', 'tiny/latest', '-A'], cwd, as('bob'))).run.runId).toBe(ids.team);
  expect((await json(['show', 'tiny/latest', '-n', 'team-x'], cwd, as('bob'))).run.user).toBe('carol');
});

test('a user without runs gets a note, and latest is NOT_FOUND naming the namespace', async () => {
  const r = await flowctl(['show'], { cwd, env: as('dave') });
  expect(r).toMatchObject({ exitCode: 0, stdout: '' });
  expect(r.stderr).toMatch(/No runs in namespace user:dave\. --all-namespaces shows every namespace's runs/);
  const latest = await flowctl(['show', 'tiny/latest'], { cwd, env: as('dave') });
  expect(latest.exitCode).toBe(2);
  expect(latest.stderr).toMatch(/Flow tiny has no runs in namespace user:dave\n\s+hint: `flowctl show tiny --all-namespaces`/);
});
