/**
 * `flowctl fsck --datastore s3://…` against both S3 servers: a store written by a real run is
 * clean; a flipped byte, a missing object, a truncated record and a dangling cache entry in the
 * bucket are each found (exit 1) with nothing changed; --repair quarantines and drops, the next
 * run produces the damaged output again, and fsck is clean once the record is put back.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, runIdFrom } from '../helpers/cli.js';
import { removeDir, tempDir } from '../helpers/tmp.js';
import { keys } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';
import { freshStore } from './helpers.js';
import { S3_SERVERS, type TestS3 } from './servers.js';

const URL = 's3://bucket/team/fsck';
const FLOW = `version: 1
name: fs
steps:
  make:
    run: mkdir -p out && echo a > out/a.txt && echo b > out/b.txt && echo one > one.txt
    outputs: [out, one.txt]
  use:
    needs: [make]
    run: cat one.txt out/a.txt > two.txt
    outputs: [two.txt]
`;

describe.each(S3_SERVERS)('%s', (_, server) => {
  let s3: TestS3;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    s3 = await server.start();
    dir = await tempDir('flowctl-s3fsck-');
    await writeFile(path.join(dir, 'flow.yaml'), FLOW);
    env = s3.env(path.join(dir, 'cache'));
  }, 60_000);
  afterAll(async () => {
    await s3.stop();
    await removeDir(dir);
  });

  const cli = (args: string[]) => flowctl([...args, '--datastore', URL], { cwd: dir, env });

  /** Every key of the bucket's store with its value's digest (fsck without --repair changes none). */
  async function bucketState(store: Store): Promise<string[]> {
    const out: string[] = [];
    for await (const k of store.maintenance.listKeys('')) out.push(`${k.key} ${k.size}`);
    for await (const o of store.maintenance.listObjects()) out.push(`${o.hash} ${o.size}`);
    return out.sort();
  }

  test('quarantining through the maintenance surface leaves a good object where it is', async () => {
    const store = await freshStore(URL, s3.endpoint, dir);
    const info = await store.objects.putBytes('good and stays\n');
    await store.maintenance.quarantineObject(info.hash);
    expect(await store.maintenance.rehashObject(info.hash)).toBe('intact');
    await store.kv.put(keys.object(info.hash), 'bad\n');
    await store.maintenance.quarantineObject(info.hash);
    expect(await store.maintenance.rehashObject(info.hash)).toBe('missing');
  }, 60_000);

  test('finds each kind of damage in the bucket, changes nothing, and --repair lets the next run produce it again', async () => {
    const first = await cli(['run', 'flow.yaml']);
    expect(first.exitCode).toBe(0);
    const runId = runIdFrom(first);
    const clean = await cli(['fsck']);
    expect(clean.stdout).toMatch(new RegExp(`^fsck ${URL}: no problems$`, 'm'));
    expect(clean.exitCode).toBe(0);

    const store = await freshStore(URL, s3.endpoint, dir);
    const make = (await store.readTask('fs', runId, 'make', '0'))!;
    const one = make.outputs.find((o) => o.path === 'one.txt')!;
    const out = make.outputs.find((o) => o.path === 'out')!;
    const b = (await store.readDirManifest(out)).find((e) => e.path === 'b.txt')!;
    if (b.type !== 'file') throw new Error('b.txt is a file');
    await store.kv.put(keys.object(one.hash), 'onf\n');
    await store.objects.delete(b.hash);
    const attempt = keys.attempt('fs', runId, 'use', '0', 1);
    const attemptText = (await store.kv.get(attempt))!;
    await store.kv.put(attempt, attemptText.slice(0, attemptText.length >> 1));
    const dangling = keys.cacheEntry('e'.repeat(64));
    await store.kv.put(dangling, JSON.stringify({ flow: 'fs', runId: '20200101T000000.000Z-aaaaaa', step: 'make', taskId: '0' }));
    const before = await bucketState(store);

    const r = await cli(['fsck']);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain(`damaged object ${keys.object(one.hash)}: its content does not match its hash`);
    expect(r.stdout).toContain(`missing object ${keys.object(b.hash)}: out/b.txt in ${keys.object(out.hash)}`);
    expect(r.stdout).toMatch(new RegExp(`^damaged record ${attempt.replace(/\./g, '\\.')}: `, 'm'));
    expect(r.stdout).toContain(`dangling cache entry ${dangling}: its task fs/20200101T000000.000Z-aaaaaa/make/0 does not exist`);
    expect(r.stdout).toMatch(/: 5 problems \(1 damaged object, 1 missing object, 1 damaged record, 2 dangling cache entries\)$/m);
    expect(await bucketState(store)).toEqual(before);

    const j = JSON.parse((await cli(['fsck', '--json'])).stdout);
    expect(j).toMatchObject({ store: URL, ok: false, objects: { damaged: 1, missing: 1 }, records: { damaged: 1 }, cacheEntries: { dangling: 2 } });

    const repair = await cli(['fsck', '--repair']);
    expect(repair.exitCode).toBe(1);
    expect(repair.stdout).toMatch(/^repaired: quarantined 1 object, dropped 2 cache entries and 0 code snapshots/m);
    expect(await store.objects.stat(one.hash)).toBeUndefined();
    expect(await store.kv.get(dangling)).toBeUndefined();

    const again = await cli(['run', 'flow.yaml']);
    expect(again.exitCode).toBe(0);
    const id = runIdFrom(again);
    expect((await store.readTask('fs', id, 'make', '0'))?.state).toBe('succeeded');
    expect((await store.objects.getBytes(one.hash)).toString()).toBe('one\n');
    expect(await store.objects.stat(b.hash)).toBeDefined();
    await store.kv.put(attempt, attemptText);
    const after = await cli(['fsck']);
    expect(after.stdout).toMatch(/no problems/);
    expect(after.exitCode).toBe(0);
  }, 180_000);
});
