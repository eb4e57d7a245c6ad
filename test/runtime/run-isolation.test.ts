/** Task isolation and the store: read-only inputs, concurrent runs, big outputs, worker limits. */
import { execa } from 'execa';
import { stat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

describe('flowctl run: isolation and store', () => {
  test('a task that writes into a staged input fails and the store object stays intact', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: ro
steps:
  make: { run: echo original > data.txt, outputs: [data.txt] }
  tamper:
    needs: [make]
    run: echo corrupted > data.txt
  check:
    needs: [make]
    run: cat data.txt > seen.txt
    outputs: [seen.txt]
`,
    });
    const r = await flowctl(['run', 'flow.yaml', '--max-workers', '1'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    const t = await s.task('ro', id, 'tamper');
    expect(t.state).toBe('failed');
    expect(await s.log('ro', id, 'tamper', '0', 1, 'stderr')).toMatch(/Permission denied|Read-only/i);
    expect(await s.output('ro', id, 'make', '0', 'data.txt')).toBe('original\n');
  });

  test('two concurrent flowctl runs on one store both succeed with distinct run ids', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: conc
steps:
  fan:
    foreach: [1, 2, 3, 4]
    run: echo \${{ item }} > o.txt
    outputs: [o.txt]
  join: { needs: [fan], run: cat fan/*/o.txt > all.txt, outputs: [all.txt] }
`,
    });
    const [a, b] = await Promise.all([flowctl(['run', 'flow.yaml'], { cwd: dir }), flowctl(['run', 'flow.yaml'], { cwd: dir })]);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const s = StoreReader.of(dir);
    const ids = [runIdFrom(a), runIdFrom(b)];
    expect(ids[0]).not.toBe(ids[1]);
    for (const id of ids) expect(await s.output('conc', id, 'join', '0', 'all.txt')).toBe('1\n2\n3\n4\n');
    // identical content is stored once: both runs' outputs point at the same object
    const [ta, tb] = await Promise.all(ids.map((id) => s.task('conc', id, 'join')));
    expect(ta.outputs[0].hash).toBe(tb.outputs[0].hash);
    expect(await readdir(path.join(s.root, 'tmp')).catch(() => [])).toEqual(expect.not.arrayContaining([expect.stringMatching(/\.tmp$/)]));
  });

  test('a 1 GiB output is moved into the store (one inode, no second copy) and staged by link', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: big
steps:
  produce:
    run: head -c 1073741824 /dev/zero | tr '\\0' 'x' > big.bin
    outputs: [big.bin]
  consume:
    needs: [produce]
    run: stat -c '%i %h %s' big.bin > inode.txt
    outputs: [inode.txt]
`,
    });
    const before = await freeBytes(dir);
    const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    const entry = (await s.task('big', id, 'produce')).outputs[0];
    expect(entry.size).toBe(2 ** 30);
    const obj = await stat(s.objectPath(entry.hash));
    const [ino, , size] = (await s.output('big', id, 'consume', '0', 'inode.txt')).trim().split(' ').map(Number);
    expect(ino).toBe(obj.ino); // the downstream task saw the store's own inode: a link, not a copy
    expect(size).toBe(2 ** 30);
    expect(obj.mode & 0o222).toBe(0); // read-only
    const used = before - (await freeBytes(dir));
    expect(used).toBeLessThan(1.5 * 2 ** 30); // one copy on disk, not two
  }, 120000);

  test('--max-workers 1 runs tasks strictly one at a time; 2 lets them overlap', async () => {
    const yaml = `
version: 1
name: workers
steps:
  t:
    foreach: [1, 2, 3, 4]
    run: sleep 0.3
`;
    const dir = await makeProject({ 'flow.yaml': yaml });
    const intervals = async (workers: string) => {
      const r = await flowctl(['run', 'flow.yaml', '--no-cache', '--max-workers', workers], { cwd: dir });
      expect(r.exitCode).toBe(0);
      const tasks = await StoreReader.of(dir).tasks('workers', runIdFrom(r), 't');
      return tasks.map((t) => [Date.parse(t.startedAt), Date.parse(t.finishedAt)] as const).sort((a, b) => a[0] - b[0]);
    };
    const serial = await intervals('1');
    for (let i = 1; i < serial.length; i++) expect(serial[i][0]).toBeGreaterThanOrEqual(serial[i - 1][1]);
    const parallel = await intervals('2');
    const overlaps = parallel.some((a, i) => parallel.some((b, j) => i !== j && a[0] < b[1] && b[0] < a[1]));
    expect(overlaps).toBe(true);
  });
});

async function freeBytes(dir: string): Promise<number> {
  const { stdout } = await execa('df', ['-B1', '--output=avail', dir]);
  return Number(stdout.trim().split('\n').pop());
}
