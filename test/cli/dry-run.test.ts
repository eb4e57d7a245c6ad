/**
 * `run --dry-run` and `resume --dry-run` through the real CLI: the plan (cached, would run,
 * skipped, at run time) with why each task would run, and nothing run or recorded; and the
 * `cache` line of `show RUN/STEP/TASK`.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';
import { esc, plan, storeState, task } from './dry-run-helpers.js';

const FLOW = `version: 1
name: demo
params:
  alpha: { type: number, default: 0.1 }
steps:
  prepare:
    run: echo prepare >> "$RAN_LOG"; sh scripts/prep.sh > clean.csv
    outputs: [clean.csv]
    params: []
  lint:
    run: echo lint >> "$RAN_LOG"; sh scripts/lint.sh
    deps: [scripts/lint.sh]
    params: []
  notes:
    run: echo notes >> "$RAN_LOG"
    params: []
  split:
    needs: [prepare]
    run: echo split >> "$RAN_LOG"; echo 'folds=[0,1]' >> "$FLOW_VALUES"
    deps: []
    params: []
  fit:
    needs: [split]
    foreach: \${{ steps.split.values.folds }}
    run: echo fit >> "$RAN_LOG"; echo \${{ item }} \${{ params.alpha }} > m.txt
    outputs: [m.txt]
    deps: []
`;

async function project(): Promise<{ cwd: string; env: Record<string, string>; ran: () => Promise<string[]> }> {
  const cwd = await makeProject({ 'flow.yaml': FLOW, 'scripts/prep.sh': 'echo a,b\n', 'scripts/lint.sh': 'true\n' });
  const log = path.join(cwd, 'ran.log');
  await writeFile(log, '');
  // The log lives in the project but out of every snapshot.
  await writeFile(path.join(cwd, '.flowctlignore'), 'ran.log\n');
  return { cwd, env: { RAN_LOG: log }, ran: async () => (await readFile(log, 'utf8')).split('\n').filter(Boolean) };
}

test('a new file: every step that sees it would run, naming the file; deps: steps stay cached; nothing runs or is recorded', async () => {
  const { cwd, env, ran } = await project();
  const first = await flowctl(['run', 'flow.yaml'], { cwd, env });
  expect(first.exitCode).toBe(0);
  const runId = runIdFrom(first);
  await writeFile(path.join(cwd, 'ran.log'), '');
  const before = await storeState(path.join(cwd, '.flowctl'));

  await writeFile(path.join(cwd, 'notes.txt'), 'x\n');
  const text = await flowctl(['run', 'flow.yaml', '--dry-run'], { cwd, env });
  expect(text.exitCode).toBe(0);
  const why = 'code: notes.txt added (the step sees all project files; narrow with deps:)';
  expect(text.stdout).toMatch(new RegExp(`^prepare\\s+0\\s+run\\s+${esc(why)} \\(compared with demo/${esc(runId)}/prepare/0\\)$`, 'm'));
  expect(text.stdout).toMatch(new RegExp(`^notes\\s+0\\s+run\\s+${esc(why)}`, 'm'));
  expect(text.stdout).toMatch(new RegExp(`^lint\\s+0\\s+cached\\s+reused from demo/${esc(runId)}$`, 'm'));
  expect(text.stdout).toMatch(/^split\s+0\s+run\s+upstream prepare runs first/m);
  expect(text.stdout).toMatch(/^fit\s+-\s+at run time\s+fans out at run time: it reads values of split, which runs first$/m);
  expect(text.stdout).toMatch(/^3 tasks would run, 1 cached, 1 step planned at run time\.$/m);
  expect(text.stdout).toMatch(/nothing was run or recorded/);

  const p = await plan(cwd, env);
  expect(task(p, 'prepare').cache).toMatchObject({
    status: 'would-run', reason: 'changed', comparedWith: { pathspec: `demo/${runId}/prepare/0`, runId, step: 'prepare', taskId: '0', state: 'succeeded' },
    changes: [{ part: 'code', name: null, change: 'changed', files: [{ path: 'notes.txt', change: 'added' }], text: why }],
  });
  expect(task(p, 'lint')).toMatchObject({ state: 'cached', cache: { status: 'reused', reuse: 'cache', reusedFrom: `demo/${runId}/lint/0` } });
  expect(task(p, 'split')).toMatchObject({ state: 'would-run', cacheKey: null, cache: { reason: 'upstream', upstream: ['prepare'] } });
  expect(p.steps.find((s: any) => s.step === 'fit')).toEqual({ step: 'fit', state: 'at-run-time', tasks: 0, counts: {}, reason: expect.stringMatching(/^fans out at run time/) });

  expect(await ran()).toEqual([]);
  expect(await storeState(path.join(cwd, '.flowctl'))).toEqual(before);
  expect(JSON.parse((await flowctl(['show', 'demo', '--json'], { cwd })).stdout).runs).toHaveLength(1);

  // A real run now: show's cache line says the same, and the client API gives the same object.
  const second = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd, env }));
  const show = await flowctl(['show', `${second}/prepare/0`], { cwd });
  expect(show.stdout).toMatch(new RegExp(`^cache\\s+ran: ${esc(why)} \\(compared with demo/${esc(runId)}/prepare/0\\)$`, 'm'));
  const shown = JSON.parse((await flowctl(['show', `${second}/prepare/0`, '--json'], { cwd })).stdout);
  expect(shown.cache).toMatchObject({ status: 'ran', reason: 'changed', changes: [{ part: 'code', files: [{ path: 'notes.txt', change: 'added' }] }] });
  // split ran again, but its input came out the same: cached.
  expect((await flowctl(['show', `${second}/split/0`], { cwd })).stdout).toMatch(new RegExp(`^cache\\s+reused from demo/${esc(runId)}/split/0$`, 'm'));

  // A file a deps: step matches is named for it, as for the steps that see every file.
  await writeFile(path.join(cwd, 'scripts/lint.sh'), 'true; true\n');
  const p2 = await plan(cwd, env);
  expect(task(p2, 'lint').cache.changes.map((c: any) => c.text)).toEqual(["code: scripts/lint.sh changed (files matching the step's deps: scripts/lint.sh)"]);
  expect(task(p2, 'notes').cache.changes.map((c: any) => c.text)).toEqual(['code: scripts/lint.sh changed (the step sees all project files; narrow with deps:)']);
  expect(p2.tasks.filter((t: any) => t.state === 'would-run').map((t: any) => t.step)).toEqual(['prepare', 'lint', 'notes', 'split']);
});

test('a param change names the param with its old and new value, for the tasks that read it', async () => {
  const { cwd, env, ran } = await project();
  const runId = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd, env }));
  await writeFile(path.join(cwd, 'ran.log'), '');
  const p = await plan(cwd, env, ['-p', 'alpha=0.25']);
  expect(p.tasks.map((t: any) => [t.step, t.taskId, t.state])).toEqual([
    ['prepare', '0', 'cached'], ['lint', '0', 'cached'], ['notes', '0', 'cached'], ['split', '0', 'cached'], ['fit', '0', 'would-run'], ['fit', '1', 'would-run']]);
  expect(task(p, 'fit', '1').cache.changes).toEqual([
    expect.objectContaining({ part: 'command', from: 'echo fit >> "$RAN_LOG"; echo 1 0.1 > m.txt', to: 'echo fit >> "$RAN_LOG"; echo 1 0.25 > m.txt' }),
    expect.objectContaining({ part: 'param', name: 'alpha', change: 'changed', from: 0.1, to: 0.25, text: 'param alpha: 0.1 → 0.25' }),
  ]);
  expect(p.counts).toEqual({ cached: 4, 'would-run': 2 });
  expect(p).toMatchObject({ kind: 'plan', flow: 'demo', flowFile: 'flow.yaml', storeExists: true, originRunId: null, noCache: false, params: { alpha: 0.25 } });
  const text = (await flowctl(['run', 'flow.yaml', '--dry-run', '-p', 'alpha=0.25'], { cwd, env })).stdout;
  expect(text).toMatch(new RegExp(`^fit\\s+1\\s+run\\s+command: .* → .*; param alpha: 0\\.1 → 0\\.25 \\(compared with demo/${esc(runId)}/fit/1\\)$`, 'm'));
  expect(text).toMatch(new RegExp(`^split\\s+0\\s+cached\\s+reused from demo/${esc(runId)}$`, 'm'));
  expect(await ran()).toEqual([]);

  // --no-cache and cache: false say so instead.
  const off = await plan(cwd, env, ['--no-cache']);
  expect(off.noCache).toBe(true);
  expect(task(off, 'prepare').cache).toMatchObject({ status: 'would-run', reason: 'no-cache', summary: 'would run: --no-cache' });
  await writeFile(path.join(cwd, 'flow.yaml'), FLOW.replace('    deps: [scripts/lint.sh]\n', '    deps: [scripts/lint.sh]\n    cache: false\n'));
  expect(task(await plan(cwd, env), 'lint').cache.summary).toBe('would run: step lint says cache: false');
  const real = runIdFrom(await flowctl(['run', 'flow.yaml', '--no-cache'], { cwd, env }));
  expect((await flowctl(['show', `${real}/notes/0`], { cwd })).stdout).toMatch(/^cache\s+ran: --no-cache$/m);
});

test('an input change names the input and the step it comes from', async () => {
  const cwd = await makeProject({
    'flow.yaml': `version: 1
name: inputs
params:
  n: { type: integer, default: 1 }
  go: { type: boolean, default: true }
steps:
  prep:
    run: echo \${{ params.n }} > data.txt
    outputs: [data.txt]
    params: []
  train:
    needs: [prep]
    if: \${{ params.go }}
    run: cat data.txt > model.txt
    outputs: [model.txt]
    params: []
    deps: []
`,
  });
  // prep makes data.txt=1 while train is skipped; then data.txt=2 and train runs.
  expect((await flowctl(['run', 'flow.yaml', '-p', 'go=false'], { cwd })).exitCode).toBe(0);
  const two = runIdFrom(await flowctl(['run', 'flow.yaml', '-p', 'n=2'], { cwd }));
  const p = await plan(cwd, {}, ['-p', 'n=1']);
  expect(task(p, 'prep').state).toBe('cached');
  expect(task(p, 'train').cache).toMatchObject({
    reason: 'changed', comparedWith: { runId: two },
    changes: [{ part: 'input', name: 'data.txt', change: 'changed', step: 'prep', text: 'input data.txt changed (from prep)' }],
  });
  const three = runIdFrom(await flowctl(['run', 'flow.yaml', '-p', 'n=1'], { cwd }));
  expect((await flowctl(['show', `${three}/train/0`], { cwd })).stdout)
    .toMatch(new RegExp(`^cache\\s+ran: input data.txt changed \\(from prep\\) \\(compared with inputs/${esc(two)}/train/0\\)$`, 'm'));
  // Skipped tasks are planned as skipped, with the reason.
  const skipped = await plan(cwd, {}, ['-p', 'go=false']);
  expect(task(skipped, 'train')).toMatchObject({ state: 'skipped', reason: 'if: params.go was false', cache: null });
  expect(skipped.steps.find((s: any) => s.step === 'train')).toMatchObject({ state: 'skipped', reason: 'if: params.go was false' });
});

test('no store yet: nothing is created; resume --dry-run says what it would clone and why the rest runs', async () => {
  const { cwd, env, ran } = await project();
  const fresh = await plan(cwd, env);
  expect(fresh.storeExists).toBe(false);
  expect(task(fresh, 'prepare').cache).toMatchObject({ reason: 'new', summary: 'would run: no earlier task of step prepare' });
  expect(existsSync(path.join(cwd, '.flowctl'))).toBe(false);
  expect(await ran()).toEqual([]);

  // A run whose fit fails (alpha 9 makes the command exit 1) resumed with the same params.
  await writeFile(path.join(cwd, 'flow.yaml'), FLOW.replace('echo ${{ item }} ${{ params.alpha }} > m.txt', 'test ${{ params.alpha }} != 9 && echo ${{ item }} > m.txt'));
  const failed = await flowctl(['run', 'flow.yaml', '-p', 'alpha=9'], { cwd, env });
  expect(failed.exitCode).toBe(1);
  const failedId = runIdFrom(failed);
  await writeFile(path.join(cwd, 'ran.log'), '');
  const before = await storeState(path.join(cwd, '.flowctl'));
  const p = await plan(cwd, env, [], 'resume', failedId);
  expect(p.originRunId).toBe(failedId);
  expect(task(p, 'prepare').cache).toMatchObject({ status: 'reused', reuse: 'resume', reusedFrom: `demo/${failedId}/prepare/0` });
  expect(task(p, 'fit', '0').cache).toMatchObject({
    reason: 'earlier-failed', comparedWith: { pathspec: `demo/${failedId}/fit/0`, state: 'failed' },
    summary: `would run: the earlier task with the same key, demo/${failedId}/fit/0, failed (only successful tasks are reused)`,
  });
  const text = (await flowctl(['resume', failedId, '--dry-run'], { cwd, env })).stdout;
  expect(text).toMatch(new RegExp(`^Plan for demo \\(flow.yaml\\), resuming ${esc(failedId)}: nothing was run or recorded\\.$`, 'm'));
  expect(text).toMatch(new RegExp(`^prepare\\s+0\\s+cached\\s+cloned from demo/${esc(failedId)}$`, 'm'));
  expect(await ran()).toEqual([]);
  expect(await storeState(path.join(cwd, '.flowctl'))).toEqual(before);
});

test('groups: a fan-out over values of a step that would run is planned at run time; a skipped group skips its steps', async () => {
  const cwd = await makeProject({
    'flow.yaml': `version: 1
name: groups
params:
  go: { type: boolean, default: false }
defaults:
  params: []
steps:
  split:
    run: echo 'folds=[0,1]' >> "$FLOW_VALUES"
  per_fold:
    needs: [split]
    foreach: \${{ steps.split.values.folds }}
    steps:
      fit:
        run: echo \${{ item }} > m.txt
        outputs: [m.txt]
  gated:
    needs: [split]
    if: \${{ params.go }}
    steps:
      a: { run: "true" }
  report:
    needs: [per_fold]
    run: cat per_fold/*/m.txt
`,
  });
  const p = await plan(cwd, {});
  expect(p.steps.map((s: any) => [s.step, s.state, s.reason])).toEqual([
    ['split', 'would-run', null],
    ['per_fold.fit', 'at-run-time', 'group per_fold fans out at run time: it reads values of split, which runs first'],
    ['gated.a', 'skipped', 'group gated is skipped: if: params.go was false'],
    ['report', 'would-run', null],
  ]);
  expect(task(p, 'report').cache).toMatchObject({ reason: 'upstream', upstream: ['per_fold'] });
  expect(runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd }))).toBeTruthy();
  const again = await plan(cwd, {});
  expect(again.tasks.map((t: any) => [t.step, t.taskId, t.state])).toEqual([
    ['split', '0', 'cached'], ['per_fold.fit', '0', 'cached'], ['per_fold.fit', '1', 'cached'], ['report', '0', 'cached']]);
  const text = (await flowctl(['run', 'flow.yaml', '--dry-run'], { cwd })).stdout;
  expect(text).toMatch(/^per_fold\.fit\s+0-1 \(2\)\s+cached\s+reused from groups\/\S+$/m);
});

test('usage: --json needs --dry-run; --dry-run records nothing, so no --run-id-file or --junit', async () => {
  const cwd = await makeProject({ 'flow.yaml': 'version: 1\nname: u\nsteps:\n  a:\n    run: "true"\n' });
  for (const args of [['--json'], ['--dry-run', '--run-id-file', 'id.txt'], ['--dry-run', '--junit', 'r.xml']]) {
    const r = await flowctl(['run', 'flow.yaml', ...args], { cwd });
    expect({ args, code: r.exitCode }).toEqual({ args, code: 2 });
    expect(r.stderr).toMatch(/--(dry-run|json)/);
  }
  expect(existsSync(path.join(cwd, '.flowctl'))).toBe(false);
  // --output json prints the plan as JSON too.
  const r = await flowctl(['run', 'flow.yaml', '--dry-run', '--output', 'json'], { cwd });
  expect(JSON.parse(r.stdout)).toMatchObject({ kind: 'plan', tasks: [{ step: 'a', state: 'would-run' }] });
});
