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
});
