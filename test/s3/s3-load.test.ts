/**
 * Load on one S3 store (issue 16 item 5), against both S3 servers: 8 `flowctl run` processes of
 * a fan-out flow at once (pairs of them share a local cache, as processes on one machine do; the
 * others are like separate machines). They race for the same objects, cache entries and run
 * index; every run must succeed with its own id and right results, and `fsck` must find the
 * store clean afterwards.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, runIdFrom } from '../helpers/cli.js';
import { removeDir, tempDir } from '../helpers/tmp.js';
import { freshStore } from './helpers.js';
import { S3_SERVERS, type TestS3 } from './servers.js';

const URL = 's3://bucket/load';
const RUNS = 8;
const ITEMS = 6;
// Shared outputs (the same bytes in every run: the same object, put by all at once) and
// per-run ones (a directory naming the run), a join over the fan-out, a cache-off step.
const FLOW = `version: 1
name: load
steps:
  fan:
    foreach: [${Array.from({ length: ITEMS }, (_, i) => i).join(', ')}]
    run: |
      echo "item \${{ item }}" > shared.txt
      mkdir -p mine && echo "$FLOW_RUN_ID $FLOW_ITEM" > mine/id.txt && echo x > mine/x.txt
    outputs: [shared.txt, mine]
  join:
    needs: [fan]
    run: cat fan/*/shared.txt > all.txt
    outputs: [all.txt]
  stamp:
    needs: [join]
    cache: false
    run: echo "$FLOW_RUN_ID" > stamp.txt
    outputs: [stamp.txt]
`;

describe.each(S3_SERVERS)('%s', (_, server) => {
  let s3: TestS3;
  let dir: string;
  beforeAll(async () => {
    s3 = await server.start();
    dir = await tempDir('flowctl-s3load-');
    await writeFile(path.join(dir, 'flow.yaml'), FLOW);
  }, 60_000);
  afterAll(async () => {
    await s3.stop();
    await removeDir(dir);
  });

  test(`${RUNS} concurrent runs of a fan-out on one store all succeed, and fsck is clean afterwards`, async () => {
    const results = await Promise.all(Array.from({ length: RUNS }, (_, i) =>
      flowctl(['run', 'flow.yaml', '--datastore', URL, '-q'], { cwd: dir, env: s3.env(path.join(dir, `cache-${i >> 1}`)) })));
    for (const r of results) expect({ exitCode: r.exitCode, stderr: r.exitCode === 0 ? '' : r.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const ids = results.map(runIdFrom);
    expect(new Set(ids).size).toBe(RUNS);

    const store = await freshStore(URL, s3.endpoint, dir);
    const expected = Array.from({ length: ITEMS }, (_, i) => `item ${i}\n`).join('');
    for (const id of ids) {
      expect(await store.readRun('load', id)).toMatchObject({ state: 'succeeded' });
      const join = (await store.readTask('load', id, 'join', '0'))!;
      expect((await store.readObject(join.outputs[0]!.hash)).toString()).toBe(expected);
      const stamp = (await store.readTask('load', id, 'stamp', '0'))!;
      expect((await store.readObject(stamp.outputs[0]!.hash)).toString()).toBe(`${id}\n`);
    }

    const fsck = await flowctl(['fsck', '--datastore', URL, '--json'], { cwd: dir, env: s3.env(path.join(dir, 'cache-fsck')) });
    const body = JSON.parse(fsck.stdout);
    expect(body.problems).toEqual([]);
    expect(fsck.exitCode).toBe(0);
    // Every run's records were read and every task's outputs followed.
    expect(body.records.checked).toBeGreaterThanOrEqual(RUNS * (ITEMS + 2) * 2);
    expect(body.cacheEntries.checked).toBeGreaterThanOrEqual(ITEMS + 1);
  }, 400_000);

  test(`${RUNS} concurrent runs while gc keeps removing older runs: every run succeeds, fsck is clean, kept runs stay whole`, async () => {
    const env = (name: string) => s3.env(path.join(dir, name));
    const runs = Promise.all(Array.from({ length: RUNS }, (_, i) =>
      flowctl(['run', 'flow.yaml', '--datastore', URL, '-q'], { cwd: dir, env: env(`cache-gc-${i >> 1}`) })));
    // gc over and over while the runs go: --keep-last 1 removes all but the newest finished run
    // of the flow, --grace 0s leaves only the protocol (live runs, used-marks) to protect them.
    let stop = false;
    const gcs: Array<{ exitCode?: number; stderr: string }> = [];
    const gcLoop = (async () => {
      while (!stop) gcs.push(await flowctl(['gc', '--keep-last', '1', '--grace', '0s', '--datastore', URL, '--json'], { cwd: dir, env: env('cache-gc') }));
    })();
    const results = await runs;
    stop = true;
    await gcLoop;
    for (const r of results) expect({ exitCode: r.exitCode, stderr: r.exitCode === 0 ? '' : r.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(gcs.length).toBeGreaterThan(0);
    // A gc either did its work or was refused because another held the lock: never a crash.
    for (const g of gcs) expect({ exitCode: g.exitCode, crash: /TypeError|at .*\.js:\d+/.test(g.stderr) }).toMatchObject({ crash: false });
    for (const g of gcs) expect([0, 1]).toContain(g.exitCode);

    const final = await flowctl(['gc', '--keep-last', '1', '--grace', '0s', '--datastore', URL], { cwd: dir, env: env('cache-gc') });
    expect(final.exitCode).toBe(0);
    const fsck = await flowctl(['fsck', '--datastore', URL, '--json'], { cwd: dir, env: env('cache-fsck-gc') });
    expect(JSON.parse(fsck.stdout).problems).toEqual([]);
    expect(fsck.exitCode).toBe(0);
    // The run gc kept still shows and its outputs read back.
    const latest = await flowctl(['show', 'load/latest/join/0/all.txt', '--datastore', URL], { cwd: dir, env: env('cache-show') });
    expect(latest.exitCode).toBe(0);
    expect(latest.stdout).toBe(Array.from({ length: ITEMS }, (_, i) => `item ${i}\n`).join('').trimEnd()); // execa drops the final newline
  }, 600_000);
});
