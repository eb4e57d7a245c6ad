/**
 * Issue 12 §1: a reused task is the same task. Each case failed before cache keys covered
 * task ids, item indices, enclosing items and readable params, and before resume compared
 * clone keys.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

async function project(files: Record<string, string>): Promise<{ dir: string; s: StoreReader }> {
  const dir = await makeProject(files);
  dirs.push(dir);
  return { dir, s: StoreReader.of(dir) };
}

async function run(dir: string, args: string[], env: Record<string, string> = {}): Promise<string> {
  const r = await flowctl(['run', ...args], { cwd: dir, env });
  if (r.exitCode !== 0) throw new Error(`run failed (${r.exitCode}): ${r.stderr}`);
  return runIdFrom(r);
}

describe('task identity in cache keys', () => {
  test('nested fan-outs: every inner task runs and sees its own id and item', async () => {
    const { dir, s } = await project({
      'flow.yaml': `
version: 1
name: nest
steps:
  outer:
    foreach: [a, b]
    steps:
      inner:
        foreach: [x, y]
        run: echo "$FLOW_TASK_ID $FLOW_ITEM" > out.txt
        outputs: [out.txt]
`,
    });
    const id = await run(dir, ['flow.yaml']);
    const tasks = await s.tasks('nest', id, 'outer.inner');
    expect(tasks.map((t) => [t.taskId, t.state])).toEqual([['0.0', 'succeeded'], ['0.1', 'succeeded'], ['1.0', 'succeeded'], ['1.1', 'succeeded']]);
    for (const t of tasks) expect(await s.output('nest', id, 'outer.inner', t.taskId, 'out.txt')).toBe(`${t.taskId} ${JSON.stringify(t.item)}\n`);
  });

  test('3 × 2 × 6 nested foreach: all 36 innermost tasks execute on the first run', async () => {
    const { dir, s } = await project({
      'flow.yaml': `
version: 1
name: deep
steps:
  a:
    foreach: [1, 2, 3]
    steps:
      b:
        foreach: [1, 2]
        steps:
          c:
            foreach: [1, 2, 3, 4, 5, 6]
            run: echo "$FLOW_TASK_ID" > id.txt
            outputs: [id.txt]
`,
    });
    const id = await run(dir, ['flow.yaml', '-j', '2']);
    const tasks = await s.tasks('deep', id, 'a.b.c');
    expect(tasks).toHaveLength(36);
    expect(tasks.filter((t) => t.state === 'succeeded')).toHaveLength(36);
    const events = (await readFile(path.join(s.root, `flows/deep/runs/${id}/events.ndjson`), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(events.filter((e) => e.type === 'task-started')).toHaveLength(36);
  });

  test('a reordered item list re-runs the tasks whose index changed ($FLOW_ITEM_INDEX)', async () => {
    const { dir, s } = await project({
      'flow.yaml': `
version: 1
name: shards
params:
  xs: { type: list, default: [x, y] }
defaults:
  params: []
steps:
  shard:
    foreach: \${{ params.xs }}
    run: |
      echo "shard $FLOW_ITEM_INDEX of 2: $FLOW_ITEM" > s.txt
    outputs: [s.txt]
`,
    });
    await run(dir, ['flow.yaml']);
    const id = await run(dir, ['flow.yaml', '-p', 'xs=["y","x"]']);
    const tasks = await s.tasks('shards', id, 'shard');
    expect(tasks.map((t) => t.state)).toEqual(['succeeded', 'succeeded']);
    expect(await s.output('shards', id, 'shard', '0', 's.txt')).toBe('shard 0 of 2: "y"\n');
    expect(await s.output('shards', id, 'shard', '1', 's.txt')).toBe('shard 1 of 2: "x"\n');
  });

  test('a task that can read FLOW_PARAM_* re-runs when the param changes; params: narrows that explicitly', async () => {
    const { dir, s } = await project({
      'flow.yaml': `
version: 1
name: reads
params:
  mode: { type: string, default: fast }
  seed: { type: integer, default: 1 }
steps:
  all:
    run: echo "$FLOW_PARAM_MODE" > m.txt
    outputs: [m.txt]
  only_mode:
    params: [mode]
    run: echo "$FLOW_PARAM_MODE \${FLOW_PARAM_SEED:-unset}" > m.txt
    outputs: [m.txt]
  none:
    params: []
    run: echo "\${FLOW_PARAM_MODE:-unset}" > m.txt
    outputs: [m.txt]
`,
    });
    const first = await run(dir, ['flow.yaml']);
    expect(await s.output('reads', first, 'only_mode', '0', 'm.txt')).toBe('fast unset\n');
    expect(await s.output('reads', first, 'none', '0', 'm.txt')).toBe('unset\n');
    const states = async (id: string) => Promise.all(['all', 'only_mode', 'none'].map(async (st) => (await s.task('reads', id, st)).state));

    const slow = await run(dir, ['flow.yaml', '-p', 'mode=slow']);
    expect(await states(slow)).toEqual(['succeeded', 'succeeded', 'cached']);
    expect(await s.output('reads', slow, 'all', '0', 'm.txt')).toBe('slow\n');
    expect(await s.output('reads', slow, 'only_mode', '0', 'm.txt')).toBe('slow unset\n');

    const seeded = await run(dir, ['flow.yaml', '-p', 'mode=slow', '-p', 'seed=2']);
    expect(await states(seeded)).toEqual(['succeeded', 'cached', 'cached']);
    const parts = (await s.task('reads', seeded, 'only_mode')).keyParts;
    expect(Object.keys(parts.params)).toEqual(['mode']);
  });

  test('an item or param object is keyed as the JSON text the task is handed, in the order written', async () => {
    const FLOW = (matrix: string) => `
version: 1
name: order
params:
  cfg: { type: object, default: {} }
steps:
  grid:
    matrix: ${matrix}
    params: []
    run: echo "$FLOW_ITEM" > item.txt
    outputs: [item.txt]
  conf:
    params: [cfg]
    run: echo "$FLOW_PARAM_CFG" > cfg.txt
    outputs: [cfg.txt]
`;
    const { dir, s } = await project({ 'flow.yaml': FLOW('{ lr: [0.1], depth: [2] }') });
    const first = await run(dir, ['flow.yaml', '-p', 'cfg={"a":1,"b":2}']);
    expect(await s.output('order', first, 'grid', '0', 'item.txt')).toBe('{"lr":0.1,"depth":2}\n');

    // The same text is the same task.
    const same = await run(dir, ['flow.yaml', '-p', 'cfg={"a":1,"b":2}']);
    expect((await s.task('order', same, 'grid')).state).toBe('cached');
    expect((await s.task('order', same, 'conf')).state).toBe('cached');

    // Swapped axes and a reordered object are different text: they run, and their outputs say so.
    await writeFile(path.join(dir, 'flow.yaml'), FLOW('{ depth: [2], lr: [0.1] }'));
    const swapped = await run(dir, ['flow.yaml', '-p', 'cfg={"b":2,"a":1}']);
    expect((await s.task('order', swapped, 'grid')).state).toBe('succeeded');
    expect((await s.task('order', swapped, 'conf')).state).toBe('succeeded');
    expect(await s.output('order', swapped, 'grid', '0', 'item.txt')).toBe('{"depth":2,"lr":0.1}\n');
    expect(await s.output('order', swapped, 'conf', '0', 'cfg.txt')).toBe('{"b":2,"a":1}\n');
  });

  test('an env value of the step counts, and a secret enters the key only as a keyed hash', async () => {
    const { dir, s } = await project({
      'flow.yaml': `
version: 1
name: sec
params:
  token: { type: string, secret: true }
  level: { type: integer, default: 1 }
defaults:
  params: []
steps:
  use:
    env: { TOKEN: "\${{ params.token }}", LEVEL: "\${{ params.level }}" }
    run: test -n "$TOKEN" && echo "level $LEVEL" > l.txt
    outputs: [l.txt]
`,
    });
    const secret = 'hunter2-very-secret';
    const a = await run(dir, ['flow.yaml', '-p', `token=${secret}`]);
    const b = await run(dir, ['flow.yaml', '-p', `token=${secret}`]);
    expect((await s.task('sec', b, 'use')).state).toBe('cached');
    const c = await run(dir, ['flow.yaml', '-p', `token=${secret}`, '-p', 'level=2']);
    expect((await s.task('sec', c, 'use')).state).toBe('succeeded');
    const d = await run(dir, ['flow.yaml', '-p', 'token=rotated-secret-value', '-p', 'level=2']);
    expect((await s.task('sec', d, 'use')).state).toBe('succeeded');

    const rec = await s.task('sec', a, 'use');
    expect(rec.keyParts.env.TOKEN).toMatch(/^hmac:[0-9a-f]{64}$/);
    expect(rec.keyParts.env.LEVEL).toMatch(/^[0-9a-f]{64}$/);
    const storeKey = (await readFile(path.join(s.root, 'config/cache-secret'), 'utf8')).trim();
    expect(storeKey).toMatch(/^[0-9a-f]{64}$/);
    for (const id of [a, b, c, d]) {
      const text = await readFile(path.join(s.root, `flows/sec/runs/${id}/steps/use/tasks/0/task.json`), 'utf8');
      expect(text).not.toContain(secret);
      expect(text).not.toContain('rotated-secret-value');
    }
  });
});

describe('resume clones only the same task', () => {
  const FLOW = (items: string) => `
version: 1
name: edits
steps:
  work:
    foreach: ${items}
    run: if [ "\${{ item }}" = b ] && [ ! -e "$FIXED" ]; then exit 3; fi; echo "\${{ item }}" > w.txt
    outputs: [w.txt]
  join:
    needs: [work]
    run: cat work/*/w.txt > all.txt
    outputs: [all.txt]
`;

  test('after the items are edited, a task at a position whose item changed runs again', async () => {
    const { dir, s } = await project({ 'flow.yaml': FLOW('[a, b, c]') });
    const fixed = path.join(dir, 'fixed');
    const r1 = await flowctl(['run', 'flow.yaml'], { cwd: dir, env: { FIXED: fixed } });
    expect(r1.exitCode).toBe(1);
    const origin = runIdFrom(r1);

    await writeFile(path.join(dir, 'flow.yaml'), FLOW('[c, b, a, d]'));
    await writeFile(fixed, '');
    const r2 = await flowctl(['resume', origin], { cwd: dir, env: { FIXED: fixed } });
    expect(r2.exitCode).toBe(0);
    const id = runIdFrom(r2);
    const work = await s.tasks('edits', id, 'work');
    expect(work.map((t) => t.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(await s.output('edits', id, 'join', '0', 'all.txt')).toBe('c\nb\na\nd\n');
  });

  test('a reordered item object is not cloned from the origin run', async () => {
    const FLOW = (matrix: string) => `
version: 1
name: reorder
steps:
  grid:
    matrix: ${matrix}
    run: echo "$FLOW_ITEM" > item.txt
    outputs: [item.txt]
  gate:
    needs: [grid]
    run: test -e "$FIXED" && cat grid/0/item.txt > out.txt
    outputs: [out.txt]
`;
    const { dir, s } = await project({ 'flow.yaml': FLOW('{ lr: [0.1], depth: [2] }') });
    const fixed = path.join(dir, 'fixed');
    const r1 = await flowctl(['run', 'flow.yaml'], { cwd: dir, env: { FIXED: fixed } });
    expect(r1.exitCode).toBe(1);
    await writeFile(path.join(dir, 'flow.yaml'), FLOW('{ depth: [2], lr: [0.1] }'));
    await writeFile(fixed, '');
    const r2 = await flowctl(['resume', runIdFrom(r1)], { cwd: dir, env: { FIXED: fixed } });
    expect(r2.exitCode).toBe(0);
    const id = runIdFrom(r2);
    expect((await s.task('reorder', id, 'grid')).reuse).toBeUndefined();
    expect(await s.output('reorder', id, 'gate', '0', 'out.txt')).toBe('{"depth":2,"lr":0.1}\n');
  });

  test('an edited code file alone does not stop a clone; an edited command does', async () => {
    const { dir, s } = await project({
      'flow.yaml': `
version: 1
name: code
steps:
  a: { run: sh lib.sh > a.txt, outputs: [a.txt] }
  b: { needs: [a], run: test -e "$FIXED" && cat a.txt > b.txt, outputs: [b.txt] }
`,
      'lib.sh': 'echo one\n',
    });
    const fixed = path.join(dir, 'fixed');
    const r1 = await flowctl(['run', 'flow.yaml'], { cwd: dir, env: { FIXED: fixed } });
    expect(r1.exitCode).toBe(1);
    await writeFile(path.join(dir, 'lib.sh'), 'echo two\n');
    await writeFile(fixed, '');
    const r2 = await flowctl(['resume', runIdFrom(r1)], { cwd: dir, env: { FIXED: fixed } });
    expect(r2.exitCode).toBe(0);
    const id2 = runIdFrom(r2);
    expect((await s.task('code', id2, 'a')).reuse).toBe('resume');
    expect(await s.output('code', id2, 'b', '0', 'b.txt')).toBe('one\n');

    await rm(fixed);
    const r3 = await flowctl(['run', 'flow.yaml'], { cwd: dir, env: { FIXED: fixed } });
    expect(r3.exitCode).toBe(1);
    await writeFile(path.join(dir, 'flow.yaml'), (await readFile(path.join(dir, 'flow.yaml'), 'utf8')).replace('> a.txt', '> a.txt; echo edited >> a.txt'));
    await writeFile(fixed, '');
    const r4 = await flowctl(['resume', runIdFrom(r3)], { cwd: dir, env: { FIXED: fixed } });
    expect(r4.exitCode).toBe(0);
    const id4 = runIdFrom(r4);
    expect((await s.task('code', id4, 'a')).state).toBe('succeeded');
    expect(await s.output('code', id4, 'b', '0', 'b.txt')).toBe('two\nedited\n');
  });
});
