/** Steps inside groups are addressed by their qualified names; tasks by dotted ids. */
import { flowctl, json, makeProject, runFlow } from './helpers.js';

test('show and logs of group steps (per item.inner) and dotted task ids', async () => {
  const cwd = await makeProject({
    'flow.yaml': `
version: 1
name: nested
steps:
  outer:
    foreach: [a, b]
    steps:
      inner:
        foreach: [1, 2]
        run: echo "\${{ item }}" > leaf.txt; echo "leaf $FLOW_TASK_ID"
        outputs: [leaf.txt]
      join:
        needs: [inner]
        run: cat inner/*/leaf.txt > all.txt
        outputs: [all.txt]
  final:
    needs: [outer]
    run: cat outer/*/all.txt
`,
  });
  const { id } = await runFlow(cwd, 'flow.yaml', ['--no-cache']);
  expect((await json(['show', id], cwd)).steps.map((s: any) => [s.step, s.tasks])).toEqual([['outer.inner', 4], ['outer.join', 2], ['final', 1]]);
  expect((await json(['show', `${id}/outer.inner`], cwd)).tasks.map((t: any) => [t.taskId, t.itemIndices, t.item])).toEqual([
    ['0.0', [0, 0], 1], ['0.1', [0, 1], 2], ['1.0', [1, 0], 1], ['1.1', [1, 1], 2],
  ]);
  expect((await flowctl(['show', `${id}/outer.inner/1.1/leaf.txt`], { cwd })).stdout).toBe('2');
  expect((await flowctl(['logs', `nested/latest/outer.inner/1.0`], { cwd })).stdout).toBe('leaf 1.0');
  const group = await flowctl(['show', `${id}/outer`], { cwd });
  expect(group.exitCode).toBe(2);
  expect(group.stderr).toMatch(/has no step 'outer': it is a group of steps outer\.inner, outer\.join\n\s+hint: Give one of them, e\.g\. nested\/\S+\/outer\.inner\./);
});
