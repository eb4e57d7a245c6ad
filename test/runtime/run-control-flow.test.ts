/** End-to-end: the real CLI runs flows with real processes; assertions read the store. */
import { readFile } from 'node:fs/promises';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

async function runFlow(yaml: string, extra: Record<string, string> = {}, args: string[] = []) {
  const dir = await makeProject({ 'flow.yaml': yaml, ...extra });
  const r = await flowctl(['run', 'flow.yaml', ...args], { cwd: dir });
  return { dir, r, store: StoreReader.of(dir) };
}

describe('flowctl run: control flow', () => {
  test('linear chain passes files and values downstream', async () => {
    const { r, store } = await runFlow(`
version: 1
name: linear
steps:
  a:
    run: echo hello > a.txt && echo "n=41" >> "$FLOW_VALUES"
    outputs: [a.txt]
  b:
    needs: [a]
    run: cat a.txt > b.txt && echo "from b" && echo "m=\${{ steps.a.values.n }}" >> "$FLOW_VALUES"
    outputs: [b.txt]
`);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    expect(await store.output('linear', id, 'b', '0', 'b.txt')).toBe('hello\n');
    expect((await store.task('linear', id, 'b')).values).toEqual({ m: 41 });
    expect(await store.log('linear', id, 'b', '0')).toBe('from b\n');
    const run = await store.run('linear', id);
    expect(run.state).toBe('succeeded');
    expect(run.codeHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('branch and join: the join sees both branches at their paths', async () => {
    const { r, store } = await runFlow(`
version: 1
name: branch
steps:
  start: { run: echo s > s.txt, outputs: [s.txt] }
  left: { needs: [start], run: "cat s.txt > l.txt; echo L >> l.txt", outputs: [l.txt] }
  right: { needs: [start], run: "cat s.txt > r.txt; echo R >> r.txt", outputs: [r.txt] }
  join: { needs: [left, right], run: "cat l.txt r.txt > j.txt; test ! -e s.txt", outputs: [j.txt] }
`);
    expect(r.exitCode).toBe(0);
    expect(await store.output('branch', runIdFrom(r), 'join', '0', 'j.txt')).toBe('s\nL\ns\nR\n');
  });

  test('static foreach fans out with FLOW_ITEM and a join sees <step>/<index>/', async () => {
    const { r, store } = await runFlow(`
version: 1
name: fan
steps:
  sq:
    foreach: [2, 3, 4]
    run: echo $(( \${{ item }} * \${{ item }} )) > sq.txt && echo "$FLOW_ITEM $FLOW_ITEM_INDEX $FLOW_TASK_ID" > env.txt
    outputs: [sq.txt, env.txt]
  total:
    needs: [sq]
    run: cat sq/0/sq.txt sq/1/sq.txt sq/2/sq.txt > all.txt && cat sq/2/env.txt >> all.txt
    outputs: [all.txt]
`);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    expect((await store.tasks('fan', id, 'sq')).map((t) => [t.taskId, t.item])).toEqual([['0', 2], ['1', 3], ['2', 4]]);
    expect(await store.output('fan', id, 'total', '0', 'all.txt')).toBe('4\n9\n16\n4 2 2\n');
  });

  test('dynamic foreach over a value produced at run time; a join gets values as lists', async () => {
    const { r, store } = await runFlow(`
version: 1
name: dyn
steps:
  gen:
    run: 'echo ''shards=[{"n":"a","k":1},{"n":"b","k":2}]'' >> "$FLOW_VALUES"'
  work:
    needs: [gen]
    foreach: \${{ steps.gen.values.shards }}
    run: echo \${{ item.n }} > out.txt && echo "k2=$(( \${{ item.k }} * 2 ))" >> "$FLOW_VALUES"
    outputs: [out.txt]
  sum:
    needs: [work]
    run: echo '\${{ steps.work.values.k2 }}' > sum.txt
    outputs: [sum.txt]
`);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    expect(await store.output('dyn', id, 'work', '1', 'out.txt')).toBe('b\n');
    expect(await store.output('dyn', id, 'sum', '0', 'sum.txt')).toBe('[2,4]\n');
  });

  test('matrix runs the cartesian product, first axis slowest', async () => {
    const { r, store } = await runFlow(`
version: 1
name: mat
steps:
  grid:
    matrix: { lr: [0.1, 0.01], depth: [2, 4, 8] }
    run: echo "\${{ item.lr }}-\${{ item.depth }}" > g.txt
    outputs: [g.txt]
`);
    expect(r.exitCode).toBe(0);
    const tasks = await store.tasks('mat', runIdFrom(r), 'grid');
    expect(tasks.map((t) => t.item)).toEqual([
      { lr: 0.1, depth: 2 }, { lr: 0.1, depth: 4 }, { lr: 0.1, depth: 8 },
      { lr: 0.01, depth: 2 }, { lr: 0.01, depth: 4 }, { lr: 0.01, depth: 8 },
    ]);
  });

  test('if: false skips the step and its dependents; a dependent with its own if still runs', async () => {
    const { r, store } = await runFlow(`
version: 1
name: iffy
params:
  enabled: { type: boolean, default: false }
steps:
  maybe:
    if: \${{ params.enabled }}
    run: echo ran > m.txt
    outputs: [m.txt]
  after: { needs: [maybe], run: echo after }
  always:
    needs: [maybe]
    if: \${{ steps.maybe.state == 'skipped' }}
    run: echo "maybe was skipped" > a.txt
    outputs: [a.txt]
  per_item:
    foreach: [1, 2, 3]
    if: \${{ item != 2 }}
    run: echo \${{ item }}
`);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    expect((await store.task('iffy', id, 'maybe')).state).toBe('skipped');
    expect((await store.task('iffy', id, 'after')).state).toBe('skipped');
    expect(await store.output('iffy', id, 'always', '0', 'a.txt')).toBe('maybe was skipped\n');
    expect((await store.tasks('iffy', id, 'per_item')).map((t) => t.state)).toEqual(['succeeded', 'skipped', 'succeeded']);
    const on = await flowctl(['run', 'flow.yaml', '--param', 'enabled=true'], { cwd: store.root.replace(/\/\.flowctl$/, '') });
    expect(on.exitCode).toBe(0);
    expect((await store.task('iffy', runIdFrom(on), 'after')).state).toBe('succeeded');
  });

  test('values of every JSON type round-trip; non-JSON stays a string', async () => {
    const { r, store } = await runFlow(`
version: 1
name: vals
steps:
  v:
    run: |
      cat >> "$FLOW_VALUES" <<'END'
      i=3
      f=2.5
      b=true
      n=null
      s="quoted"
      raw=plain text
      list=[1,"two",{"three":3}]
      obj={"a":[1,2]}
      END
`);
    expect(r.exitCode).toBe(0);
    expect((await store.task('vals', runIdFrom(r), 'v')).values).toEqual({
      i: 3, f: 2.5, b: true, n: null, s: 'quoted', raw: 'plain text', list: [1, 'two', { three: 3 }], obj: { a: [1, 2] },
    });
  });

  test('a failing step exits 1, stops downstream, and records the failure', async () => {
    const { r, store } = await runFlow(`
version: 1
name: failing
steps:
  bad: { run: "echo about to fail; exit 3" }
  never: { needs: [bad], run: echo never }
`);
    expect(r.exitCode).toBe(1);
    const id = runIdFrom(r);
    const t = await store.task('failing', id, 'bad');
    expect(t.state).toBe('failed');
    expect(t.reason).toMatch(/exit code 3/);
    expect(r.stderr).toContain('about to fail');
    expect((await store.run('failing', id)).state).toBe('failed');
    await expect(store.task('failing', id, 'never')).rejects.toThrow();
  });

  test('catch: true records the failure and lets downstream run; exit 0', async () => {
    const { r, store } = await runFlow(`
version: 1
name: caught
steps:
  flaky: { run: exit 4, catch: true }
  next: { needs: [flaky], run: "echo \${{ steps.flaky.state }} > s.txt", outputs: [s.txt] }
`);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    expect((await store.task('caught', id, 'flaky')).caught).toBe(true);
    expect(await store.output('caught', id, 'next', '0', 's.txt')).toBe('failed\n');
    expect(r.stderr).toMatch(/1 caught failure/);
  });

  test('events.ndjson holds every event of the run', async () => {
    const { r, store } = await runFlow(`
version: 1
name: ev
steps:
  a: { run: echo one }
`);
    const id = runIdFrom(r);
    const lines = (await readFile(`${store.root}/flows/ev/runs/${id}/events.ndjson`, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((e) => e.type)).toEqual([
      'run-started', 'step-started', 'step-planned', 'task-started', 'attempt-started', 'log', 'attempt-finished', 'task-finished', 'step-finished', 'run-finished',
    ]);
  });
});
