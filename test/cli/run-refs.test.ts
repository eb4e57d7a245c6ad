/**
 * Issue 17, items 2 and 5, through the built CLI: `resume` takes what show/logs/tag take, or a
 * flow file (its latest run); `tag add RUN TAG…` refuses a tag that looks like a run.
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { STACK_LINE } from './helpers.js';

// `work` fails until ok.txt exists in the project (the user fixes the problem), then succeeds.
const FLOW = `
version: 1
name: refs
steps:
  first:
    run: echo one
  work:
    needs: [first]
    run: test -e "$PROJECT/ok.txt" && echo fixed
    env: { PROJECT: "\${{ params.project }}" }
params:
  project: { type: string, default: "" }
`;

describe('resume RUN', () => {
  let cwd: string;
  let s: StoreReader;
  const run = async (...extra: string[]) => {
    const r = await flowctl(['run', 'project/flow.yaml', '-q', '-p', `project=${cwd}`, ...extra], { cwd });
    expect(r.exitCode).toBe(1);
    return runIdFrom(r);
  };
  let resumed = '';
  const origin = async (args: string[], at = cwd) => {
    const r = await flowctl(['resume', '-q', ...args], { cwd: at });
    expect({ code: r.exitCode, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    resumed = runIdFrom(r);
    return (await s.run('refs', resumed)).originRunId as string;
  };

  beforeAll(async () => {
    cwd = await makeProject({ 'project/flow.yaml': FLOW });
    s = StoreReader.of(cwd);
  });

  test('a flow file means its latest run in the namespace; FLOW/latest, FLOW/RUN_ID and RUN_ID name runs', async () => {
    const older = await run();
    const other = await run('--namespace', 'team');
    const latest = await run();
    await writeFile(path.join(cwd, 'ok.txt'), '');
    expect(await origin(['project/flow.yaml'])).toBe(latest);
    // from another directory, the store is found above the flow's project, as `run` finds it
    const previous = resumed;
    expect(await origin([path.join(cwd, 'project/flow.yaml')], path.dirname(cwd))).toBe(previous);
    expect(await origin(['refs/latest', '--namespace', 'team'])).toBe(other);
    expect(await origin([`refs/${older}`])).toBe(older);
    expect(await origin([older])).toBe(older);
    // an id names one run, whatever its namespace
    expect(await origin([other])).toBe(other);
  }, 120_000);

  test.each([
    [['refs'], /resume takes a run .* not "refs"\n {2}hint: `flowctl resume refs\/latest` resumes its latest run/],
    [['nowhere.yaml'], /^error: no flow file nowhere\.yaml/],
    [['refs/latest/work'], /resume takes a run/],
    [['nope/latest'], /No flow 'nope' in store/],
    [['20261126T131500.123Z-ab12cd'], /no run '20261126T131500\.123Z-ab12cd'|20261126T131500\.123Z-ab12cd/],
  ])('%j is a usage error (exit 2) that says what resume takes', async (args, message) => {
    const r = await flowctl(['resume', ...args], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  test('a flow file that never ran here: exit 2, nothing started', async () => {
    const fresh = await makeProject({ 'flow.yaml': FLOW });
    const r = await flowctl(['resume', 'flow.yaml'], { cwd: fresh });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: no store found for flow\.yaml: it has not run here yet\n {2}hint: run it first/);
  });
});

describe('tag add RUN TAG…', () => {
  let cwd: string;
  let a: string;
  let b: string;
  beforeAll(async () => {
    cwd = await makeProject({ 'flow.yaml': 'version: 1\nname: tagged\nsteps:\n  x: { run: echo x }\n' });
    a = runIdFrom(await flowctl(['run', 'flow.yaml', '-q', '--tag', 'team/ml'], { cwd }));
    b = runIdFrom(await flowctl(['run', 'flow.yaml', '-q'], { cwd }));
  });

  test.each([
    ['a run path', (x: string) => `tagged/${x}`],
    ['FLOW/latest', () => 'tagged/latest'],
    ['a bare run id', (x: string) => x],
  ])('a tag that looks like a run (%s) is refused with a hint, and nothing is tagged', async (_what, tag) => {
    const r = await flowctl(['tag', 'add', `tagged/${a}`, tag(b), 'best'], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`error: '${tag(b)}' looks like a run, not a tag: tag add takes one RUN, then tags\n` +
      `  hint: add tags on each run with its own command: \`flowctl tag add ${tag(b)} best\``);
    expect((await flowctl(['tag', 'list', `tagged/${a}`], { cwd })).stdout).toBe('team/ml');
  });

  test('ordinary tags are added; a run-like tag the run carries can still be removed', async () => {
    expect((await flowctl(['tag', 'add', `tagged/${a}`, 'best', 'v2.1'], { cwd })).stdout).toBe('team/ml\nbest\nv2.1');
    const removed = await flowctl(['tag', 'remove', `tagged/${a}`, 'team/ml'], { cwd });
    expect({ code: removed.exitCode, stdout: removed.stdout }).toEqual({ code: 0, stdout: 'best\nv2.1' });
    const refused = await flowctl(['tag', 'remove', `tagged/${a}`, 'tagged/latest'], { cwd });
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toMatch(/looks like a run/);
  });
});
