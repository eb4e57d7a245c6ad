/**
 * End to end against S3: `flowctl run flows/train.yaml --datastore s3://bucket/prefix` with
 * local steps, a fully cached second run, resume, and show/logs reading it back from a
 * machine with an empty cache.
 */
import { cp, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, REPO, runIdFrom } from '../helpers/cli.js';
import { removeTree } from '../../src/store/fs-util.js';
import { freshStore, verifyRun } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';
import { S3_SERVERS, type TestS3 } from './servers.js';

const URL = 's3://bucket/team/flowctl';

describe.each(S3_SERVERS)('%s', (_, server) => {
  let s3: TestS3;
  let dir: string;
  let env: Record<string, string>;
  let first: string;

  beforeAll(async () => {
    s3 = await server.start();
    dir = await tempDir('flowctl-s3run-');
    await cp(path.join(REPO, 'flows'), path.join(dir, 'flows'), { recursive: true });
    env = s3.env(path.join(dir, 'cache'));
  });
  afterAll(async () => {
    await s3.stop();
    await removeTree(dir);
  });

  const cli = (args: string[], extra: Record<string, string> = {}) => flowctl(args, { cwd: dir, env: { ...env, ...extra } });

  test('the train flow runs against S3: records, logs, events and every artifact are in the bucket', async () => {
    const r = await cli(['run', 'flows/train.yaml', '--datastore', URL]);
    expect(r.stderr).toMatch(/run \S+: succeeded/);
    expect(r.stderr).toContain(`store: ${URL}`);
    expect(r.stderr).not.toMatch(/Warning/); // the SDK's Node-version notice stays out of the run's output
    expect(r.exitCode).toBe(0);
    first = runIdFrom(r);
    // Nothing local: no .flowctl next to the project, task dirs cleaned out of the cache's scratch.
    for (const d of [dir, path.join(dir, 'flows')]) await expect(stat(path.join(d, '.flowctl'))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(path.join(dir, 'cache', 'scratch', 'tasks')).catch(() => [])).toEqual([]);

    const store = await freshStore(URL, s3.endpoint, dir);
    const run = await store.readRun('train', first);
    expect(run).toMatchObject({ state: 'succeeded', flow: 'train', user: 'tester' });
    expect(await store.listTasks('train', first, 'fit')).toEqual(['0', '1', '2']);
    const hashes = await verifyRun(store, 'train', first);
    expect(Object.keys(hashes).sort()).toEqual(expect.arrayContaining(['evaluate/0/report.json', 'fit/2/model.json', 'prepare/0/clean.csv']));
    const report = JSON.parse((await store.objects.getBytes(hashes['evaluate/0/report.json'])).toString());
    expect(JSON.stringify(report)).toMatch(/accuracy/);
    const events = await store.readEvents<{ type: string }>('train', first);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['run-started', 'task-finished', 'run-finished']));
    expect(await store.kv.get(`flows/train/runs/${first}/steps/fit/tasks/1/attempts/1/stdout`)).toMatch(/fold 1/);
  }, 120_000);

  test('a second run is fully cached', async () => {
    const r = await cli(['run', 'flows/train.yaml', '--datastore', URL]);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    const store = await freshStore(URL, s3.endpoint, dir);
    for (const step of ['prepare', 'split', 'fit', 'evaluate']) {
      for (const t of await store.listTasks('train', id, step)) {
        expect(await store.readTask('train', id, step, t)).toMatchObject({ state: 'cached', reuse: 'cache', cachedFrom: { runId: first } });
      }
    }
    expect((await store.readRun('train', id))?.taskCounts).toEqual({ cached: 6 });
  }, 120_000);

  test('resume --from fit clones upstream tasks from S3 and re-runs the rest', async () => {
    const r = await cli(['resume', first, '--from', 'fit', '--datastore', URL], { FLOWCTL_CACHE_DIR: path.join(dir, 'cache-resume') });
    expect(r.stderr).toMatch(/run \S+: succeeded/);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    const store = await freshStore(URL, s3.endpoint, dir);
    expect(await store.readRun('train', id)).toMatchObject({ originRunId: first, resumedFrom: 'fit', state: 'succeeded' });
    expect(await store.readTask('train', id, 'prepare', '0')).toMatchObject({ state: 'cached', reuse: 'resume' });
    expect(await store.readTask('train', id, 'fit', '2')).toMatchObject({ state: 'succeeded' });
    const [a, b] = [await verifyRun(store, 'train', first), await verifyRun(store, 'train', id)];
    expect(b['evaluate/0/report.json']).toBe(a['evaluate/0/report.json']); // the flow is seeded: same bytes
  }, 120_000);

  test('show and logs read the run back from S3 on a machine with an empty cache', async () => {
    const other = { FLOWCTL_CACHE_DIR: path.join(dir, 'cache-show'), FLOWCTL_DATASTORE: URL };
    const flows = await cli(['show'], other);
    expect(flows.exitCode).toBe(0);
    expect(flows.stdout).toMatch(/train/);
    const run = await cli(['show', `train/${first}`, '--json'], other);
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ kind: 'run', run: { runId: first, state: 'succeeded' } });
    const report = await cli(['show', `train/${first}/evaluate/0/report.json`], other);
    expect(report.exitCode).toBe(0);
    expect(JSON.parse(report.stdout)).toHaveProperty('folds', 3);
    const saved = path.join(dir, 'saved-model.json');
    expect((await cli(['show', `train/${first}/fit/1/model.json`, '-o', saved], other)).exitCode).toBe(0);
    expect((await stat(saved)).size).toBeGreaterThan(0);
    const logs = await cli(['logs', `train/${first}/fit/2`], other);
    expect(logs.exitCode).toBe(0);
    expect(logs.stdout).toMatch(/fold 2 held-out: accuracy/);
  }, 120_000);

  test('a missing bucket, refused credentials and an unreachable endpoint are usage errors with a hint', async () => {
    const nob = await cli(['run', 'flows/train.yaml', '--datastore', 's3://no-such-bucket/x']);
    expect(nob.exitCode).toBe(2);
    expect(nob.stderr).toMatch(/Bucket no-such-bucket does not exist[\s\S]*hint: Create it/);
    const down = await cli(['show', '--datastore', URL], { FLOWCTL_S3_ENDPOINT: 'http://127.0.0.1:1', FLOWCTL_S3_MAX_ATTEMPTS: '2' });
    expect(down.exitCode).toBe(2);
    expect(down.stderr).toMatch(/ECONNREFUSED[\s\S]*hint: Check the endpoint/);
    for (const r of [nob, down]) expect(r.stderr).not.toMatch(/\n\s+at /); // no stack traces
    if (!server.checksCredentials) return; // moto takes any key pair unless IAM is set up in it
    const cred = await cli(['show', '--datastore', URL], { AWS_ACCESS_KEY_ID: 'WRONG' });
    expect(cred.exitCode).toBe(2);
    expect(cred.stderr).toMatch(/refused the credentials[\s\S]*hint: Set AWS_ACCESS_KEY_ID/);
    expect(cred.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  test('a damaged run.json in the bucket spoils only that run: show FLOW lists it damaged, show RUN exits 1 naming it', async () => {
    const store = await freshStore(URL, s3.endpoint, dir);
    const bad = '20991231T235959.999Z-zzzzzz';
    await store.kv.put(`runs/${bad}`, 'train');
    await store.kv.put(`flows/train/runs/${bad}/run.json`, '{"formatVersion": 1, "flow": "tr');
    const other = { FLOWCTL_CACHE_DIR: path.join(dir, 'cache-damaged'), FLOWCTL_DATASTORE: URL };
    const list = await cli(['show', 'train', '--json'], other);
    expect(list.exitCode).toBe(0);
    const runs = JSON.parse(list.stdout).runs as Array<{ runId: string; state: string; error: string | null }>;
    expect(runs[0]).toMatchObject({ runId: bad, state: 'damaged', error: expect.stringContaining(`flows/train/runs/${bad}/run.json is damaged: not valid JSON`) });
    expect(runs.filter((r) => r.state === 'succeeded').map((r) => r.runId)).toContain(first);
    const shown = await cli(['show', bad], other);
    expect(shown.exitCode).toBe(1);
    expect(shown.stderr).toContain(`error: flows/train/runs/${bad}/run.json is damaged`);
    expect(shown.stderr).not.toMatch(/\n\s+at /);
    expect((await cli(['show', `train/${first}`], other)).exitCode).toBe(0);
  }, 60_000);
});
