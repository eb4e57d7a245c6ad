/**
 * `flowctl gc` and `flowctl rm` on a local store, through the real CLI: --keep-last 1 on a store
 * of 5 runs frees exactly the bytes no kept run references, and the kept run still shows and
 * resumes; --dry-run changes nothing; a run started while gc works completes whole; a live run
 * is never removed; bad flags and unknown runs are usage errors.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { BIN, flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { removeDir } from '../helpers/tmp.js';

const FLOW = `version: 1
name: g
params:
  n: { type: integer, default: 1 }
steps:
  make:
    run: mkdir -p out && echo "n=\${{ params.n }}" > out/a.txt && head -c 20000 /dev/urandom > out/big.bin && echo \${{ params.n }} > one.txt
    outputs: [out, one.txt]
  use:
    needs: [make]
    run: cat one.txt out/a.txt > two.txt
    outputs: [two.txt]
`;

/** Every object file in the store: hash → size. */
async function objects(root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const base = path.join(root, 'objects', 'sha256');
  for (const shard of await readdir(base).catch(() => [] as string[])) {
    for (const h of await readdir(path.join(base, shard))) out.set(h, (await stat(path.join(base, shard, h))).size);
  }
  return out;
}

/** What a run references, read from its records by hand (not through flowctl's walk). */
async function referenced(s: StoreReader, flow: string, runId: string): Promise<Set<string>> {
  const refs = new Set<string>();
  const run = await s.run(flow, runId);
  const code = JSON.parse(await readFile(path.join(s.root, 'code', run.codeHash), 'utf8')) as { files: Array<{ hash: string }> };
  for (const f of code.files) refs.add(f.hash);
  for (const step of await s.steps(flow, runId)) {
    for (const t of await s.tasks(flow, runId, step)) {
      for (const o of t.outputs as Array<{ type: string; hash: string }>) {
        refs.add(o.hash);
        if (o.type === 'dir') for (const e of JSON.parse(await readFile(s.objectPath(o.hash), 'utf8')) as Array<{ type: string; hash: string }>) if (e.type === 'file') refs.add(e.hash);
      }
    }
  }
  return refs;
}

let dir: string;
afterEach(async () => {
  if (dir) await removeDir(dir);
});

test('gc --keep-last 1 on 5 runs frees exactly the unreferenced bytes; --dry-run changes nothing; the kept run shows and resumes', async () => {
  dir = await makeProject({ 'flow.yaml': FLOW });
  const ids: string[] = [];
  for (let n = 1; n <= 5; n++) {
    const r = await flowctl(['run', 'flow.yaml', '-q', '-p', `n=${n}`], { cwd: dir });
    expect(r.exitCode).toBe(0);
    ids.push(runIdFrom(r));
  }
  const s = StoreReader.of(dir);
  const kept = ids[4]!;
  const before = await objects(s.root);
  const keep = await referenced(s, 'g', kept);
  const expectedBytes = [...before].filter(([h]) => !keep.has(h)).reduce((n, [, size]) => n + size, 0);
  expect(expectedBytes).toBeGreaterThan(4 * 20000);

  const dry = await flowctl(['gc', '--keep-last', '1', '--grace', '0s', '--dry-run', '--json'], { cwd: dir });
  expect(dry.stderr).toBe('');
  expect(dry.exitCode).toBe(0);
  const planned = JSON.parse(dry.stdout);
  expect(planned).toMatchObject({ dryRun: true, objects: { bytes: expectedBytes }, runs: ids.slice(0, 4).map((runId) => ({ flow: 'g', runId, state: 'succeeded' })) });
  expect(await objects(s.root)).toEqual(before);
  const text = await flowctl(['gc', '--keep-last', '1', '--grace', '0s', '--dry-run'], { cwd: dir });
  expect(text.stdout).toContain(`would remove run g/${ids[0]} (succeeded)`);
  expect(text.stdout).toMatch(/dry run: would remove 4 runs, 8 cache entries, \d+ objects/);

  const gc = await flowctl(['gc', '--keep-last', '1', '--grace', '0s', '--json'], { cwd: dir });
  expect(gc.exitCode).toBe(0);
  const done = JSON.parse(gc.stdout);
  expect(done).toMatchObject({ dryRun: false, cacheEntries: 8, objects: { bytes: expectedBytes, count: planned.objects.count } });
  expect(done.bytesFreed).toBeGreaterThanOrEqual(expectedBytes);
  expect(new Set((await objects(s.root)).keys())).toEqual(keep);

  for (const id of ids.slice(0, 4)) expect((await flowctl(['show', id], { cwd: dir })).exitCode).not.toBe(0);
  const shown = await flowctl(['show', `g/${kept}/use/0/two.txt`], { cwd: dir });
  expect(shown.exitCode).toBe(0);
  expect(shown.stdout.trim()).toBe('5\nn=5');
  const resumed = await flowctl(['resume', kept, '--from', 'use', '--output', 'plain'], { cwd: dir });
  expect(resumed.exitCode).toBe(0);
  const again = await flowctl(['run', 'flow.yaml', '--output', 'plain', '-p', 'n=5'], { cwd: dir });
  expect(again.stderr).toMatch(/task make\/0: cached/);

  // A second gc finds nothing more to free.
  const second = JSON.parse((await flowctl(['gc', '--keep-last', '1', '--grace', '0s', '--json'], { cwd: dir })).stdout);
  expect(second.objects.count).toBe(0);
}, 180_000);

test('a run started while gc works completes whole; a live run is never removed', async () => {
  dir = await makeProject({
    'flow.yaml': FLOW,
    'slow.yaml': 'version: 1\nname: slow\nsteps:\n  a:\n    run: echo a > a.txt\n    outputs: [a.txt]\n  b:\n    needs: [a]\n    run: sleep 25 && cat a.txt > b.txt\n    outputs: [b.txt]\n',
  });
  for (let n = 1; n <= 4; n++) expect((await flowctl(['run', 'flow.yaml', '-q', '-p', `n=${n}`], { cwd: dir })).exitCode).toBe(0);
  // A live run of another flow, mid-way: gc must keep it and everything it made so far.
  const live = execa(process.execPath, [BIN, 'run', 'slow.yaml', '-q'], { cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester' } });
  const s = StoreReader.of(dir);
  for (let i = 0; i < 100 && !(await readdir(path.join(s.root, 'flows', 'slow', 'runs')).catch(() => [])).length; i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 6000));
  // gc removes every earlier run of g (and would remove slow's, but it lives) while a new run of
  // g reuses n=1's outputs (a cache hit on a run being removed).
  const [gc, during] = await Promise.all([
    flowctl(['gc', '--older-than', '5s', '--grace', '0s', '--json'], { cwd: dir }),
    flowctl(['run', 'flow.yaml', '-q', '-p', 'n=1'], { cwd: dir }),
  ]);
  expect(gc.exitCode).toBe(0);
  expect(JSON.parse(gc.stdout).runs.map((r: { flow: string }) => r.flow)).toEqual(['g', 'g', 'g', 'g']);
  expect(live.exitCode).toBeNull(); // still running when gc ended
  expect(during.exitCode).toBe(0);
  const id = runIdFrom(during);
  const slow = await live;
  expect(slow.exitCode).toBe(0);
  const slowId = slow.stdout.trim();
  // Everything both runs reference is there and verifies.
  for (const [path_, want] of [[`g/${id}/use/0/two.txt`, '1\nn=1'], [`g/${id}/make/0/out/a.txt`, 'n=1'], [`slow/${slowId}/b/0/b.txt`, 'a']]) {
    const r = await flowctl(['show', path_!], { cwd: dir });
    expect({ path: path_, exitCode: r.exitCode, stderr: r.stderr }).toEqual({ path: path_, exitCode: 0, stderr: '' });
    expect(r.stdout.trim()).toBe(want);
  }
  expect((await flowctl(['show', `g/${id}/make/0/out/big.bin`, '-o', path.join(dir, 'big.bin')], { cwd: dir })).exitCode).toBe(0);
  expect((await flowctl(['resume', id, '--from', 'use', '-q'], { cwd: dir })).exitCode).toBe(0);
}, 180_000);

test('rm removes named runs and what only they used; a live run is refused; bad values are usage errors', async () => {
  dir = await makeProject({ 'flow.yaml': FLOW, 'slow.yaml': 'version: 1\nname: slow\nsteps:\n  a:\n    run: sleep 3\n' });
  const a = runIdFrom(await flowctl(['run', 'flow.yaml', '-q', '-p', 'n=1'], { cwd: dir }));
  const b = runIdFrom(await flowctl(['run', 'flow.yaml', '-q', '-p', 'n=2'], { cwd: dir }));
  const s = StoreReader.of(dir);
  const keepB = await referenced(s, 'g', b);
  const rm = await flowctl(['rm', `g/${a}`, '--grace', '0s'], { cwd: dir });
  expect(rm.exitCode).toBe(0);
  expect(rm.stdout).toContain(`removed run g/${a} (succeeded)`);
  expect(new Set((await objects(s.root)).keys())).toEqual(keepB);
  expect((await flowctl(['show', `g/${b}`], { cwd: dir })).exitCode).toBe(0);

  const live = execa(process.execPath, [BIN, 'run', 'slow.yaml', '-q'], { cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester' } });
  let liveId: string | undefined;
  for (let i = 0; i < 100 && !liveId; i++) {
    await new Promise((r) => setTimeout(r, 100));
    liveId = (await readdir(path.join(s.root, 'flows', 'slow', 'runs')).catch(() => [] as string[]))[0];
  }
  await new Promise((r) => setTimeout(r, 500));
  const refused = await flowctl(['rm', liveId!], { cwd: dir });
  expect(refused.exitCode).toBe(1);
  expect(refused.stderr).toContain(`slow/${liveId} is still running`);
  expect((await live).exitCode).toBe(0);

  const cases: Array<[string[], RegExp]> = [
    [['rm', 'nope'], /No run 'nope' in store/],
    [['gc', '--older-than', '30x'], /--older-than "30x": invalid duration '30x': unknown unit 'x'/],
    [['gc', '--older-than', '30'], /--older-than "30": give a unit \(s, m, h, d\)/],
    [['gc', '--grace', '10'], /--grace "10": give a unit/],
    [['gc', '--keep-last', '-1'], /keep-last/],
    [['gc', '--flow', 'nope'], /No flow 'nope' in store/],
  ];
  for (const [args, msg] of cases) {
    const r = await flowctl(args, { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(msg);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
}, 120_000);

test('gc with the default grace leaves no cache entry naming a run it removed: fsck is clean right after', async () => {
  dir = await makeProject({ 'flow.yaml': FLOW });
  for (const n of [1, 2, 3]) expect((await flowctl(['run', 'flow.yaml', '-p', `n=${n}`, '--output', 'plain'], { cwd: dir })).exitCode).toBe(0);
  // Every run just wrote its cache entries: all within the grace, yet two of the runs go.
  const gc = await flowctl(['gc', '--keep-last', '1', '--json'], { cwd: dir });
  expect(gc.exitCode).toBe(0);
  const body = JSON.parse(gc.stdout) as { runs: unknown[]; cacheEntries: number };
  expect(body.runs).toHaveLength(2);
  expect(body.cacheEntries).toBe(4); // make and use of each removed run
  const fsck = await flowctl(['fsck', '--json'], { cwd: dir });
  expect(JSON.parse(fsck.stdout).problems).toEqual([]);
  expect(fsck.exitCode).toBe(0);
  // The kept run's tasks are still reused.
  const again = await flowctl(['run', 'flow.yaml', '-p', 'n=3', '--output', 'plain'], { cwd: dir });
  expect(again.stderr).toMatch(/task use\/0: cached/);
}, 120_000);

test('a kept run whose tasks were cache hits still serves as cache after gc removes the run that did the work', async () => {
  dir = await makeProject({ 'flow.yaml': FLOW });
  const first = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  const second = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(second.stderr).toMatch(/task make\/0: cached/);
  const gc = await flowctl(['gc', '--keep-last', '1', '--grace', '0s', '--json'], { cwd: dir });
  expect(gc.exitCode).toBe(0);
  expect((JSON.parse(gc.stdout) as { runs: Array<{ runId: string }> }).runs.map((r) => r.runId)).toEqual([runIdFrom(first)]);
  const third = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(third.exitCode).toBe(0);
  expect(third.stderr).toMatch(/task make\/0: cached/);
  expect(third.stderr).toMatch(/task use\/0: cached/);
  const fsck = await flowctl(['fsck', '--json'], { cwd: dir });
  expect(JSON.parse(fsck.stdout).problems).toEqual([]);
}, 120_000);
