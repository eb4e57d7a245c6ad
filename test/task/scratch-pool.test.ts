/**
 * Task directories are recycled within a run (src/task/scratch-pool.ts): every attempt must
 * still start in a directory holding exactly the project's code and its inputs, whatever
 * the attempt before it left behind.
 */
import { access, readdir } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

test('every task of a fan-out starts in a clean task directory, and directories are reused', async () => {
  const dir = await makeProject({
    'code.txt': 'project code\n',
    'flow.yaml': `
version: 1
name: pool
steps:
  make:
    run: mkdir -p tree/sub && echo x > tree/sub/f && chmod -R a-w tree
    outputs: [tree]
  fan:
    needs: [make]
    foreach: \${{ range(12) }}
    # What the task sees before it writes anything, then litter of every kind: a file, a
    # nested directory, a read-only directory, and a FLOW_VALUES file.
    run: >-
      seen=$(ls -A | sort | tr '\\n' ' ') && echo "$seen" > seen.txt &&
      ls -A ../.. | wc -l | tr -d ' ' > slots.txt &&
      echo junk > junk.txt && mkdir -p deep/er && echo y > deep/er/z &&
      mkdir ro && chmod a-w ro && echo n=\${{ item }} > "$FLOW_VALUES"
    outputs: [seen.txt, slots.txt]
`,
  });
  const r = await flowctl(['run', 'flow.yaml', '--max-workers', '2', '--output', 'plain'], { cwd: dir });
  expect(r.stderr).not.toMatch(/failed/);
  expect(r.exitCode).toBe(0);
  const s = StoreReader.of(dir);
  const id = runIdFrom(r);
  const tasks = await s.tasks('pool', id, 'fan');
  expect(tasks).toHaveLength(12);
  for (const t of tasks) {
    expect(await s.output('pool', id, 'fan', t.taskId, 'seen.txt')).toBe('code.txt flow.yaml tree \n');
    // 2 workers, plus a slot or two still being emptied while the next task starts.
    expect(Number(await s.output('pool', id, 'fan', t.taskId, 'slots.txt'))).toBeLessThanOrEqual(6);
    expect(t.values).toEqual({ n: Number(t.taskId) });
  }
  // The run's scratch is gone once it ends.
  await expect(access(path.join(dir, '.flowctl/tmp/tasks', id))).rejects.toThrow();
});

test('--keep-failed-dirs keeps a failed attempt\'s directory under a name that says which it was', async () => {
  const dir = await makeProject({
    'flow.yaml': `
version: 1
name: keep
steps:
  ok: { run: echo fine > a.txt }
  bad: { needs: [ok], run: echo evidence > clue.txt && exit 3 }
`,
  });
  const r = await flowctl(['run', 'flow.yaml', '--max-workers', '1', '--keep-failed-dirs'], { cwd: dir });
  expect(r.exitCode).toBe(1);
  const kept = path.join(dir, '.flowctl/tmp/tasks', runIdFrom(r));
  const names = await readdir(kept);
  expect(names).toContain('bad-0-1');
  expect(await readdir(path.join(kept, 'bad-0-1', 'work'))).toEqual(['clue.txt', 'flow.yaml']);
});
