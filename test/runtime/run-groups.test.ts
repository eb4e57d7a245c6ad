/** Groups: a per-item sub-DAG, and Metaflow's nested foreach with a join per level. */
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

describe('flowctl run: groups', () => {
  test('a fanned-out group runs fit -> test per fold, then a join sees <group>/<index>/', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: grp
steps:
  split:
    run: echo "folds=[0,1,2]" >> "$FLOW_VALUES" && echo data > data.txt
    outputs: [data.txt]
  per_fold:
    needs: [split]
    foreach: \${{ steps.split.values.folds }}
    steps:
      fit:
        run: cat data.txt > model.txt && echo "fold \${{ item }}" >> model.txt
        outputs: [model.txt]
      test:
        needs: [fit]
        run: "cat model.txt > metrics.txt; echo tested >> metrics.txt; test ! -e data.txt || echo sees-data >> metrics.txt"
        outputs: [metrics.txt]
  report:
    needs: [per_fold]
    run: cat per_fold/0/metrics.txt per_fold/2/metrics.txt > report.txt && test ! -e per_fold/0/model.txt
    outputs: [report.txt]
`,
    });
    const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
    expect(r.stderr).not.toMatch(/failed/);
    expect(r.exitCode).toBe(0);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    expect((await s.tasks('grp', id, 'per_fold.fit')).map((t) => t.taskId)).toEqual(['0', '1', '2']);
    expect(await s.output('grp', id, 'per_fold.test', '1', 'metrics.txt')).toBe('data\nfold 1\ntested\nsees-data\n');
    expect(await s.output('grp', id, 'report', '0', 'report.txt')).toBe(
      'data\nfold 0\ntested\nsees-data\ndata\nfold 2\ntested\nsees-data\n',
    );
  });

  test('three nested fan-outs (3 x 2 x 6 = 36 innermost tasks) with a join per level', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: nested
steps:
  outer:
    foreach: [a, b, c]
    steps:
      middle:
        foreach: [1, 2]
        steps:
          inner:
            foreach: [0, 1, 2, 3, 4, 5]
            run: echo "\${{ items[0] }}\${{ items[1] }}\${{ item }} $FLOW_TASK_ID" > leaf.txt
            outputs: [leaf.txt]
          join_inner:
            needs: [inner]
            run: cat inner/*/leaf.txt | wc -l | tr -d ' ' > n.txt
            outputs: [n.txt]
      join_middle:
        needs: [middle]
        run: cat middle/0/n.txt middle/1/n.txt | awk '{s+=$1} END {print s}' > n.txt
        outputs: [n.txt]
  join_outer:
    needs: [outer]
    run: cat outer/*/n.txt | awk '{s+=$1} END {print s}' > total.txt
    outputs: [total.txt]
`,
    });
    const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    const leaves = await s.tasks('nested', id, 'outer.middle.inner');
    expect(leaves).toHaveLength(36);
    expect(leaves[0].taskId).toBe('0.0.0');
    expect(leaves[35].taskId).toBe('2.1.5');
    expect(await s.output('nested', id, 'outer.middle.inner', '2.1.5', 'leaf.txt')).toBe('c25 2.1.5\n');
    expect((await s.tasks('nested', id, 'outer.middle.join_inner')).map((t) => t.taskId)).toEqual(['0.0', '0.1', '1.0', '1.1', '2.0', '2.1']);
    expect(await s.output('nested', id, 'outer.join_middle', '1', 'n.txt')).toBe('12\n');
    expect(await s.output('nested', id, 'join_outer', '0', 'total.txt')).toBe('36\n');
  });
});
