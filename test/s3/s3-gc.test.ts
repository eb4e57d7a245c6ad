/**
 * `flowctl gc` and `flowctl rm` on an S3 store (s3rver and moto): --keep-last 1 removes the
 * older runs and exactly the objects no kept run references (their `used` markers too); the
 * kept run still shows and resumes from a machine with an empty cache; rm removes a named run.
 */
import path from 'node:path';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';
import { removeDir } from '../helpers/tmp.js';
import { ReferenceWalker } from '../../src/store/references.js';
import type { Store } from '../../src/store/store.js';
import { freshStore } from './helpers.js';
import { S3_SERVERS, type TestS3 } from './servers.js';

const URL = 's3://bucket/gc';
const FLOW = `version: 1
name: g
params:
  n: { type: integer, default: 1 }
steps:
  make:
    run: mkdir -p out && echo "n=\${{ params.n }}" > out/a.txt && echo \${{ params.n }} > one.txt
    outputs: [out, one.txt]
  use:
    needs: [make]
    run: cat one.txt out/a.txt > two.txt
    outputs: [two.txt]
`;

async function storedObjects(store: Store): Promise<string[]> {
  const out: string[] = [];
  for await (const o of store.maintenance.listObjects()) out.push(o.hash);
  return out.sort();
}

async function referencedBy(store: Store, runIds: string[]): Promise<string[]> {
  const refs = new Set<string>();
  const walker = new ReferenceWalker(store);
  for (const id of runIds) for await (const r of walker.run('g', id)) if (r.kind === 'object') refs.add(r.hash);
  return [...refs].sort();
}

describe.each(S3_SERVERS)('%s', (_, server) => {
  let s3: TestS3;
  let dir: string;
  beforeAll(async () => {
    s3 = await server.start();
    dir = await makeProject({ 'flow.yaml': FLOW });
  });
  afterAll(async () => {
    await s3.stop();
    await removeDir(dir);
  });
  const cli = (args: string[], cache = 'cache') => flowctl(args, { cwd: dir, env: { ...s3.env(path.join(dir, cache)), FLOWCTL_DATASTORE: URL } });

  test('gc --keep-last 1 and rm remove runs and exactly the objects only they referenced', async () => {
    const ids: string[] = [];
    for (let n = 1; n <= 4; n++) {
      const r = await cli(['run', 'flow.yaml', '-q', '-p', `n=${n}`]);
      expect(r.exitCode).toBe(0);
      ids.push(runIdFrom(r));
    }
    const store = await freshStore(URL, s3.endpoint, dir);
    const before = await storedObjects(store);
    const dry = JSON.parse((await cli(['gc', '--keep-last', '2', '--grace', '0s', '--dry-run', '--json'])).stdout);
    expect(dry.runs.map((r: { runId: string }) => r.runId)).toEqual(ids.slice(0, 2));
    expect(await storedObjects(store)).toEqual(before);

    const gc = await cli(['gc', '--keep-last', '2', '--grace', '0s', '--json']);
    expect(gc.exitCode).toBe(0);
    expect(JSON.parse(gc.stdout)).toMatchObject({ objects: dry.objects, cacheEntries: 4 });
    expect(await storedObjects(store)).toEqual(await referencedBy(store, ids.slice(2)));

    const rm = await cli(['rm', `g/${ids[2]}`, '--grace', '0s']);
    expect(rm.exitCode).toBe(0);
    expect(rm.stdout).toContain(`removed run g/${ids[2]} (succeeded)`);
    expect(await storedObjects(store)).toEqual(await referencedBy(store, ids.slice(3)));
    for (const id of ids.slice(0, 3)) expect((await cli(['show', id])).exitCode).not.toBe(0);

    // The kept run, from a machine with an empty cache: shows, and resumes.
    const shown = await cli(['show', `g/${ids[3]}/use/0/two.txt`], 'cache-other');
    expect(shown.stdout.trim()).toBe('4\nn=4');
    expect((await cli(['resume', ids[3]!, '--from', 'use', '-q'], 'cache-other')).exitCode).toBe(0);
  }, 240_000);
});
