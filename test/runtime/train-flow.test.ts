/** The example pipeline runs end to end with nothing but Node. */
import { cp } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, REPO, runIdFrom, StoreReader } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

test('flows/train.yaml runs every step and stores report, models, metrics, logs and the run record', async () => {
  const dir = await tempDir('flowctl-train-');
  await cp(path.join(REPO, 'flows'), path.join(dir, 'flows'), { recursive: true });
  const r = await flowctl(['run', 'flows/train.yaml', '--param', 'epochs=50'], { cwd: dir });
  expect(r.stderr).toMatch(/run \S+: succeeded/);
  expect(r.exitCode).toBe(0);
  const s = StoreReader.of(dir);
  const id = runIdFrom(r);
  const run = await s.run('train', id);
  expect(run).toMatchObject({ state: 'succeeded', flow: 'train', params: { folds: 3, epochs: 50 }, user: 'tester', namespace: 'user:tester' });
  expect(run.codeHash).toMatch(/^[0-9a-f]{64}$/);
  const fits = await s.tasks('train', id, 'fit');
  expect(fits.map((t) => t.taskId)).toEqual(['0', '1', '2']);
  for (const t of fits) {
    expect(t.outputs.map((o: { path: string }) => o.path).sort()).toEqual(['metrics.json', 'model.json']);
    expect(await s.log('train', id, 'fit', t.taskId)).not.toBe('');
  }
  const report = JSON.parse(await s.output('train', id, 'evaluate', '0', 'report.json'));
  expect(JSON.stringify(report)).toMatch(/accuracy/);
  for (const step of ['prepare', 'split', 'evaluate']) expect((await s.task('train', id, step)).state).toBe('succeeded');
  // the store is where `run` was started, so browsing from the same place finds the run
  const shown = await flowctl(['show', 'train', '--json'], { cwd: dir });
  expect(shown.exitCode).toBe(0);
  expect(JSON.parse(shown.stdout).runs.map((r: { runId: string }) => r.runId)).toContain(id);
}, 120000);
