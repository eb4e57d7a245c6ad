/**
 * A fan-out over an empty list is a step with no tasks, not an error: a join after it sees
 * empty lists for the fanned-out step's values and runs, at every nesting level; names that can
 * never exist are still caught by `validate`.
 */
import { rm } from 'node:fs/promises';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const dirs: string[] = [];
async function project(flow: string): Promise<string> {
  const dir = await makeProject({ 'flow.yaml': flow });
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const FLOW = `
version: 1
name: empty
params:
  xs: { type: list, default: [] }
steps:
  fan:
    foreach: \${{ params.xs }}
    run: echo "score=\${{ item }}" >> $FLOW_VALUES
  join:
    needs: [fan]
    run: echo "n=\${{ len(steps.fan.values.score) }} scores=\${{ toJSON(steps.fan.values.score) }} state=\${{ steps.fan.state }}" > join.txt
    outputs: [join.txt]
`;

test('a join after a fan-out over an empty list sees [] for any value and the state succeeded', async () => {
  const dir = await project(FLOW);
  const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
  expect(r.stderr).not.toMatch(/has no value/);
  expect(r.exitCode).toBe(0);
  const id = runIdFrom(r);
  const s = StoreReader.of(dir);
  expect(await s.output('empty', id, 'join', '0', 'join.txt')).toBe('n=0 scores=[] state=succeeded\n');
  expect(await s.run('empty', id)).toMatchObject({ state: 'succeeded' });

  // the same flow with items: the values are the tasks' values, as before
  const full = await flowctl(['run', 'flow.yaml', '-p', 'xs=[3,4]'], { cwd: dir });
  expect(full.exitCode).toBe(0);
  expect(await s.output('empty', runIdFrom(full), 'join', '0', 'join.txt')).toBe('n=2 scores=[3,4] state=succeeded\n');
});

test('a value no task of a non-empty fan-out set is still an error (a typo is not an empty list)', async () => {
  const dir = await project(FLOW.replace('steps.fan.values.score) }} scores', 'steps.fan.values.scor) }} scores'));
  const r = await flowctl(['run', 'flow.yaml', '-p', 'xs=[1]'], { cwd: dir });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toMatch(/step 'fan' has no value 'scor' \(did you mean 'score'\?\)/);
});

test('every item skipped by a per-item if: one null per item (for a join that runs anyway)', async () => {
  const flow = FLOW.replace('    run: echo "score', "    if: \${{ item > 10 }}\n    run: echo \"score")
    .replace('    needs: [fan]\n', "    needs: [fan]\n    if: \${{ steps.fan.state == 'skipped' }}\n");
  const dir = await project(flow);
  const r = await flowctl(['run', 'flow.yaml', '-p', 'xs=[1,2]'], { cwd: dir });
  expect(r.exitCode).toBe(0);
  expect(await StoreReader.of(dir).output('empty', runIdFrom(r), 'join', '0', 'join.txt')).toBe('n=2 scores=[null,null] state=skipped\n');
});

test('empty fan-outs in groups: an empty group fan-out, an empty fan-out inside each group instance, nested empty groups', async () => {
  const dir = await project(`
version: 1
name: nested
params:
  none: { type: list, default: [] }
steps:
  grp:
    foreach: \${{ params.none }}
    steps:
      inner: { run: echo "v=1" >> $FLOW_VALUES }
  after_grp:
    needs: [grp]
    run: echo "grp=\${{ steps.grp.state }}" > after.txt
    outputs: [after.txt]
  outer:
    foreach: [a, b]
    steps:
      f2:
        foreach: \${{ params.none }}
        run: echo "w=1" >> $FLOW_VALUES
      j2:
        needs: [f2]
        run: echo "\${{ item }} n=\${{ len(steps.f2.values.w) }}" > j2.txt
        outputs: [j2.txt]
      deeper:
        foreach: \${{ params.none }}
        steps:
          leaf: { run: echo never }
  report:
    needs: [outer]
    run: cat outer/*/j2.txt > report.txt
    outputs: [report.txt]
`);
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(r.stderr).not.toMatch(/has no value/);
  expect(r.exitCode).toBe(0);
  const id = runIdFrom(r);
  const s = StoreReader.of(dir);
  expect(await s.output('nested', id, 'after_grp', '0', 'after.txt')).toBe('grp=succeeded\n');
  expect(await s.output('nested', id, 'outer.j2', '0', 'j2.txt')).toBe('a n=0\n');
  expect(await s.output('nested', id, 'outer.j2', '1', 'j2.txt')).toBe('b n=0\n');
  expect(await s.output('nested', id, 'report', '0', 'report.txt')).toBe('a n=0\nb n=0\n');
  expect(await s.run('nested', id)).toMatchObject({ state: 'succeeded', taskCounts: { succeeded: 4 } });
});

test('validate still rejects values that can never exist: a group has no values', async () => {
  const dir = await project(`
version: 1
name: groupvalues
steps:
  grp:
    foreach: [1]
    steps:
      inner: { run: echo "v=1" >> $FLOW_VALUES }
  after:
    needs: [grp]
    run: echo \${{ len(steps.grp.values.v) }}
`);
  const r = await flowctl(['validate', 'flow.yaml'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/^flow\.yaml:11:23: step 'grp' is a group and has no values \(steps\.grp\.values\.v\); only steps with run: set values$/m);
});
