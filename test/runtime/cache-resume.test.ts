/** Caching (memoization by cache key) and resume (cloning from an origin run). */
import { cp, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, REPO, runIdFrom, StoreReader } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

async function events(s: StoreReader, flow: string, id: string): Promise<any[]> {
  return (await readFile(path.join(s.root, `flows/${flow}/runs/${id}/events.ndjson`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
}

describe('caching', () => {
  test('a second run of flows/train.yaml with nothing changed is fully cached and starts no process', async () => {
    const dir = await tempDir('flowctl-cache-');
    await cp(path.join(REPO, 'flows'), path.join(dir, 'flows'), { recursive: true });
    const first = await flowctl(['run', 'flows/train.yaml', '-p', 'epochs=20'], { cwd: dir });
    expect(first.exitCode).toBe(0);
    const second = await flowctl(['run', 'flows/train.yaml', '-p', 'epochs=20'], { cwd: dir });
    expect(second.exitCode).toBe(0);
    const s = StoreReader.of(dir);
    const id1 = runIdFrom(first);
    const id2 = runIdFrom(second);
    const ev = await events(s, 'train', id2);
    expect(ev.filter((e) => e.type === 'task-started')).toEqual([]);
    const finished = ev.filter((e) => e.type === 'task-finished');
    expect(finished).toHaveLength(6);
    expect(finished.every((e) => e.state === 'cached')).toBe(true);
    const fit1 = await s.task('train', id2, 'fit', '1');
    expect(fit1).toMatchObject({ state: 'cached', reuse: 'cache', cachedFrom: { runId: id1, step: 'fit', taskId: '1' } });
    expect(fit1.outputs).toEqual((await s.task('train', id1, 'fit', '1')).outputs);
    expect((await s.task('train', id2, 'evaluate')).values).toEqual((await s.task('train', id1, 'evaluate')).values);

    // a changed param invalidates only the steps that use it
    const third = await flowctl(['run', 'flows/train.yaml', '-p', 'epochs=21'], { cwd: dir });
    const id3 = runIdFrom(third);
    expect((await s.task('train', id3, 'prepare')).state).toBe('cached');
    expect((await s.task('train', id3, 'split')).state).toBe('cached');
    expect((await s.tasks('train', id3, 'fit')).map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
  }, 120000);

  const FLOW = (extra = '') => `
version: 1
name: shards
params:
  shards: { type: list, default: [1, 2, 3] }
defaults:
  params: []   # no step reads FLOW_PARAM_*: only what the commands and items carry counts
steps:
  base:
    run: sh scripts/base.sh > base.txt
    outputs: [base.txt]
    deps: [scripts/base.sh]
  work:
    needs: [base]
    foreach: \${{ params.shards }}
    run: echo "\${{ item }} $(cat base.txt)" > w.txt
    outputs: [w.txt]
    deps: []
  join:
    needs: [work]
    run: cat work/*/w.txt > all.txt${extra}
    outputs: [all.txt]
  volatile:
    run: date +%s%N > now.txt
    outputs: [now.txt]
    cache: false
`;

  test('a changed item, code file, or command invalidates exactly what depends on it', async () => {
    const dir = await makeProject({ 'flow.yaml': FLOW(), 'scripts/base.sh': 'echo base\n', 'scripts/other.sh': 'echo other\n' });
    const s = StoreReader.of(dir);
    const states = async (id: string) => ({
      base: (await s.task('shards', id, 'base')).state,
      work: (await s.tasks('shards', id, 'work')).map((t) => t.state),
      join: (await s.task('shards', id, 'join')).state,
      volatile: (await s.task('shards', id, 'volatile')).state,
    });
    expect((await flowctl(['run', 'flow.yaml'], { cwd: dir })).exitCode).toBe(0);

    // one fold's input changes: only that task and the join re-run
    const r1 = await flowctl(['run', 'flow.yaml', '-p', 'shards=[1,2,4]'], { cwd: dir });
    expect(await states(runIdFrom(r1))).toEqual({ base: 'cached', work: ['cached', 'cached', 'succeeded'], join: 'succeeded', volatile: 'succeeded' });

    // editing a file outside a step's deps does not invalidate it
    await writeFile(path.join(dir, 'scripts/other.sh'), 'echo changed\n');
    const r2 = await flowctl(['run', 'flow.yaml', '-p', 'shards=[1,2,4]'], { cwd: dir });
    expect(await states(runIdFrom(r2))).toEqual({ base: 'cached', work: ['cached', 'cached', 'cached'], join: 'succeeded', volatile: 'succeeded' });
    // ...but the join (no deps: all code counts) did re-run because other.sh is code it can see.

    // editing a dep re-runs that step; identical output keeps downstream cached (content addressing)
    await writeFile(path.join(dir, 'scripts/base.sh'), '# same output\necho base\n');
    const r3 = await flowctl(['run', 'flow.yaml', '-p', 'shards=[1,2,4]'], { cwd: dir });
    // (join has no deps, so base.sh is code it can see: it re-runs; work has deps: [] and stays cached)
    expect(await states(runIdFrom(r3))).toEqual({ base: 'succeeded', work: ['cached', 'cached', 'cached'], join: 'succeeded', volatile: 'succeeded' });

    // editing one step's command in the flow file re-runs that step only
    await writeFile(path.join(dir, 'flow.yaml'), FLOW(' && echo end >> all.txt'));
    const r4 = await flowctl(['run', 'flow.yaml', '-p', 'shards=[1,2,4]'], { cwd: dir });
    expect(await states(runIdFrom(r4))).toEqual({ base: 'cached', work: ['cached', 'cached', 'cached'], join: 'succeeded', volatile: 'succeeded' });

    // --no-cache runs everything
    const r5 = await flowctl(['run', 'flow.yaml', '-p', 'shards=[1,2,4]', '--no-cache'], { cwd: dir });
    expect(await states(runIdFrom(r5))).toEqual({ base: 'succeeded', work: ['succeeded', 'succeeded', 'succeeded'], join: 'succeeded', volatile: 'succeeded' });
  }, 120000);
});

describe('resume', () => {
  const FLOW = `
version: 1
name: fixme
steps:
  prep: { run: echo prepared > p.txt, outputs: [p.txt] }
  fan:
    needs: [prep]
    foreach: [0, 1, 2]
    run: if [ \${{ item }} = 1 ] && [ ! -e "$FIXED" ]; then echo broken >&2; exit 1; fi; cat p.txt > f.txt; echo \${{ item }} >> f.txt
    outputs: [f.txt]
  join: { needs: [fan], run: cat fan/0/f.txt fan/1/f.txt fan/2/f.txt > j.txt, outputs: [j.txt] }
`;

  test('clones what succeeded, runs what failed, and can itself be resumed; --from re-runs a step and what follows', async () => {
    const dir = await makeProject({ 'flow.yaml': FLOW });
    const fixed = path.join(dir, 'fixed');
    const env = { FIXED: fixed };
    const s = StoreReader.of(dir);
    const r1 = await flowctl(['run', 'flow.yaml', '--max-workers', '1'], { cwd: dir, env });
    expect(r1.exitCode).toBe(1);
    const id1 = runIdFrom(r1);

    // still broken: the resume fails again, and is itself resumable
    const r2 = await flowctl(['resume', id1], { cwd: dir, env });
    expect(r2.exitCode).toBe(1);
    const id2 = runIdFrom(r2);
    expect((await s.run('fixme', id2)).originRunId).toBe(id1);

    await writeFile(fixed, '');
    const r3 = await flowctl(['resume', id2], { cwd: dir, env });
    expect(r3.exitCode).toBe(0);
    const id3 = runIdFrom(r3);
    const prep = await s.task('fixme', id3, 'prep');
    expect(prep).toMatchObject({ state: 'cached', reuse: 'resume', cachedFrom: { runId: id1, step: 'prep', taskId: '0' } });
    const fan = await s.tasks('fixme', id3, 'fan');
    expect(fan.map((t) => t.state)).toEqual(['cached', 'succeeded', 'cached']);
    expect(await readdir(path.join(s.root, `flows/fixme/runs/${id3}/steps/prep/tasks/0`))).toEqual(['task.json']);
    expect(await s.output('fixme', id3, 'join', '0', 'j.txt')).toBe('prepared\n0\nprepared\n1\nprepared\n2\n');

    const r4 = await flowctl(['resume', id3, '--from', 'fan'], { cwd: dir, env });
    expect(r4.exitCode).toBe(0);
    const id4 = runIdFrom(r4);
    expect((await s.task('fixme', id4, 'prep')).state).toBe('cached');
    expect((await s.tasks('fixme', id4, 'fan')).map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect((await s.task('fixme', id4, 'join')).state).toBe('succeeded');
    expect((await s.run('fixme', id4)).resumedFrom).toBe('fan');
  }, 60000);

  test('resume errors: unknown run, unknown --from step', async () => {
    const dir = await makeProject({ 'flow.yaml': FLOW });
    const ok = await flowctl(['run', 'flow.yaml'], { cwd: dir, env: { FIXED: path.join(dir, 'flow.yaml') } });
    const r = await flowctl(['resume', '20990101T000000.000Z-zzzzzz'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/no run '20990101T000000.000Z-zzzzzz'/i); // `No run … in store …` (resume takes show's run refs)
    const bad = await flowctl(['resume', runIdFrom(ok), '--from', 'fann'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/no step 'fann'/);
    expect(bad.stderr).toMatch(/did you mean 'fan'/);
  });
});
