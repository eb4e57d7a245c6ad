/**
 * `--dry-run` against a real store: it never writes to it (not even the repairs and quarantine a
 * real run makes of an object found touched or damaged), it starts no task, and bad input is a
 * usage error (exit 2) naming the offending value, with nothing created.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { esc, plan, storeState, task } from './dry-run-helpers.js';

const FLOW = `version: 1
name: objs
defaults:
  params: []
steps:
  kept:
    run: echo kept >> "$RAN_LOG"; echo kept > k.txt
    outputs: [k.txt]
    deps: []
  touched:
    run: echo touched >> "$RAN_LOG"; echo touched > t.txt
    outputs: [t.txt]
    deps: []
  damaged:
    run: echo damaged >> "$RAN_LOG"; echo damaged > d.txt
    outputs: [d.txt]
    deps: []
`;

test('an object touched or damaged since it was stored: the dry run repairs and quarantines nothing, and says why the task would run', async () => {
  const cwd = await makeProject({ 'flow.yaml': FLOW, '.flowctlignore': 'ran.log\n' });
  const log = path.join(cwd, 'ran.log');
  const env = { RAN_LOG: log };
  const first = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd, env }));
  const s = StoreReader.of(cwd);
  const object = async (step: string) => s.objectPath((await s.task('objs', first, step)).outputs[0].hash);
  // Same bytes, new stat: a real run re-hashes it and resets its stat; the dry run must leave it.
  await utimes(await object('touched'), new Date(), new Date());
  // Other bytes: a real run moves it to quarantine/; the dry run must leave it.
  const damaged = await object('damaged');
  await chmod(damaged, 0o644);
  await writeFile(damaged, 'not what was stored\n');
  await writeFile(log, '');
  const before = await storeState(s.root);

  const p = await plan(cwd, env);
  expect(p.tasks.map((t: any) => [t.step, t.state])).toEqual([['kept', 'cached'], ['touched', 'cached'], ['damaged', 'would-run']]);
  expect(task(p, 'damaged').cache).toMatchObject({
    reason: 'outputs-gone', comparedWith: { pathspec: `objs/${first}/damaged/0`, state: 'succeeded' },
  });
  expect(task(p, 'damaged').cache.summary).toMatch(/outputs/);
  const text = await flowctl(['run', 'flow.yaml', '--dry-run'], { cwd, env });
  expect(text.stdout).toMatch(new RegExp(`^damaged\\s+0\\s+run\\s+.*objs/${esc(first)}/damaged/0`, 'm'));

  expect(await storeState(s.root)).toEqual(before);
  expect(existsSync(path.join(s.root, 'quarantine'))).toBe(false);
  expect(await readFile(log, 'utf8')).toBe('');
});

test('bad input is a usage error naming the value, with no stack trace and no store created', async () => {
  const cwd = await makeProject({
    'flow.yaml': 'version: 1\nname: bad\nparams:\n  n: { type: integer, default: 1 }\nsteps:\n  a:\n    run: echo ${{ params.n }}\n',
    'broken.yaml': 'version: 1\nname: broken\nsteps:\n  a:\n    run: echo hi\n  b:\n    needs: [nope]\n    run: echo b\n',
  });
  const cases: Array<[string[], RegExp]> = [
    [['run', 'missing.yaml'], /missing\.yaml.*no such file/],
    [['run', 'broken.yaml'], /broken\.yaml:7:\d+: .*nope/],
    [['run', 'flow.yaml', '-p', 'n=abc'], /--param n=abc: expected an integer/],
    [['run', 'flow.yaml', '-p', 'm=1'], /the flow has no param 'm'/],
    [['resume', 'bad/latest'], /No \.flowctl\/ directory/],
    [['resume', 'flow.yaml'], /no store found for flow\.yaml/],
    [['run', 'flow.yaml', '--json'], /--dry-run/],
  ];
  for (const [args, message] of cases) {
    const r = await flowctl([...args, ...(args.includes('--json') ? [] : ['--dry-run'])], { cwd });
    expect({ args, code: r.exitCode, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }
  expect(existsSync(path.join(cwd, '.flowctl'))).toBe(false);

  // With a store: an unknown run, an unknown --from step, a --datastore that does not exist.
  const runId = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd }));
  const before = await storeState(path.join(cwd, '.flowctl'));
  const withStore: Array<[string[], RegExp]> = [
    [['resume', 'bad/20200101T000000.000Z-aaaaaa'], /no run .*20200101T000000\.000Z-aaaaaa/i],
    [['resume', runId, '--from', 'nope'], /nope/],
    [['resume', runId, '--datastore', path.join(cwd, 'elsewhere')], /No store at .*elsewhere/],
  ];
  for (const [args, message] of withStore) {
    const r = await flowctl([...args, '--dry-run'], { cwd });
    expect({ args, code: r.exitCode, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }
  expect(await storeState(path.join(cwd, '.flowctl'))).toEqual(before);
  expect(existsSync(path.join(cwd, 'elsewhere'))).toBe(false);

  // run --dry-run --datastore DIR that does not exist yet: the plan of a first run, and DIR is not created.
  const fresh = await plan(cwd, {}, ['--datastore', 'new-store']);
  expect(fresh).toMatchObject({ storeExists: false, datastore: path.join(cwd, 'new-store'), tasks: [{ step: 'a', state: 'would-run', cache: { reason: 'new' } }] });
  expect(existsSync(path.join(cwd, 'new-store'))).toBe(false);
});
