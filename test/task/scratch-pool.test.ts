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

test('a reused directory gives every task the pristine project code, whatever the task before did to it', async () => {
  const dir = await makeProject({
    'scripts/a.txt': 'A\n',
    'scripts/b.txt': 'B\n',
    'scripts/run.sh': '#!/bin/sh\necho ran\n',
    'top.txt': 'TOP\n',
    'flow.yaml': `
version: 1
name: vandal
steps:
  make: { run: rm -f top.txt && echo upstream > top.txt, outputs: [top.txt] }
  fan:
    foreach: \${{ range(6) }}
    # Check the code is as in the project, then damage it in every way a task can without chmod.
    run: >-
      test "$(cat scripts/a.txt scripts/b.txt top.txt)" = "$(printf 'A\\nB\\nTOP')" &&
      test "$(ls -A scripts | tr '\\n' ' ')" = "a.txt b.txt run.sh " &&
      test "$(./scripts/run.sh)" = ran &&
      rm scripts/a.txt && mv scripts/b.txt scripts/c.txt && rm -f top.txt && echo fake > top.txt &&
      echo extra > scripts/extra.txt && rm -rf scripts/run.sh && mkdir scripts/run.sh
  shadow:
    needs: [make]
    foreach: \${{ range(3) }}
    run: test "$(cat top.txt)" = upstream
  after:
    needs: [fan, shadow]
    foreach: \${{ range(3) }}
    run: test "$(cat top.txt scripts/a.txt)" = "$(printf 'TOP\\nA')"
`,
  });
  const r = await flowctl(['run', 'flow.yaml', '--max-workers', '1', '--output', 'plain'], { cwd: dir });
  expect(r.stderr).not.toMatch(/failed/);
  expect(r.exitCode).toBe(0);
  const tasks = await StoreReader.of(dir).tasks('vandal', runIdFrom(r), 'fan');
  expect(tasks.map((t) => t.state)).toEqual(Array(6).fill('succeeded'));
});
