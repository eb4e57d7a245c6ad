/**
 * The gc protocol at the store level (src/store/gc/collect.ts), with records written through
 * the Store: objects used after the cutoff (gc's start less the grace, or a live run's start)
 * are kept whatever references them, and so is every file of a directory manifest used after
 * it (a run on S3 may mark the manifest alone); a live run is never removed; a gc holding the
 * store refuses a second one; a kept run with a damaged record stops gc before anything goes.
 */
import { stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { collectGarbage } from '../../src/store/gc/collect.js';
import { dirManifestJson } from '../../src/store/manifest.js';
import { keys, type RunRecord } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';
import { tempStore } from './helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(async () => {
  await t.cleanup();
});

const HOUR = 3_600_000;

async function addRun(store: Store, opts: { state?: RunRecord['state']; startedAgoMs?: number; beatAgoMs?: number; files?: string[] } = {}) {
  const files = await Promise.all((opts.files ?? ['a', 'b']).map(async (c, i) => ({ path: `f${i}`, type: 'file' as const, ...(await store.objects.putBytes(`${c}-${Math.random()}`)) })));
  const manifest = await store.objects.putBytes(dirManifestJson(files));
  const code = await store.objects.putBytes('');
  const runId = await store.newRunId('f');
  const started = new Date(Date.now() - (opts.startedAgoMs ?? 2 * HOUR)).toISOString();
  await store.writeRun({
    formatVersion: 1, flow: 'f', runId, state: opts.state ?? 'succeeded', params: {}, secretParams: [], codeHash: code.hash, specHash: 's'.repeat(64),
    flowFile: 'f.yaml', user: 'u', namespace: 'user:u', tags: [], startedAt: started,
    heartbeatAt: new Date(Date.now() - (opts.beatAgoMs ?? HOUR)).toISOString(), pid: 1, host: 'h',
  });
  await store.writeTask('f', {
    formatVersion: 1, runId, step: 's', taskId: '0', state: 'succeeded', itemIndices: [], values: {}, attempts: 1,
    outputs: [{ path: 'out', type: 'dir', hash: manifest.hash, size: 2 }],
  });
  return { runId, manifest: manifest.hash, files: files.map((f) => f.hash) };
}

/** Every object last used an hour ago (as if the runs were that old). */
async function age(store: Store): Promise<void> {
  for await (const o of store.maintenance.listObjects()) {
    const file = store.objects.localFile(o.hash);
    await utimes(file, new Date(Date.now() - HOUR), (await stat(file)).mtime);
  }
}

const present = async (store: Store, hash: string) => (await store.maintenance.statObject(hash)) !== undefined;

test('a manifest used after the cutoff keeps its files, though the run that referenced it is removed', async () => {
  const old = await addRun(t.store);
  const other = await addRun(t.store);
  await addRun(t.store, { state: 'running', startedAgoMs: 60_000, beatAgoMs: 1000 }); // live since a minute ago
  await age(t.store);
  // A live run reused old's directory output, marking the manifest only (as a run on S3 does).
  expect(await t.store.objects.touch(old.manifest)).toBe(true);
  const r = await collectGarbage(t.store, { keepLast: 1, graceMs: 0 });
  expect(r.runs.map((x) => x.runId).sort()).toEqual([old.runId, other.runId].sort());
  for (const h of [old.manifest, ...old.files]) expect(await present(t.store, h)).toBe(true);
  for (const h of [other.manifest, ...other.files]) expect(await present(t.store, h)).toBe(false);
  expect(await t.store.readRun('f', old.runId)).toBeUndefined();
});

test('the cutoff is no later than a live run\'s start, and a live run is never removed', async () => {
  const live = await addRun(t.store, { state: 'running', startedAgoMs: 30 * 60_000, beatAgoMs: 1000 });
  const old = await addRun(t.store);
  await age(t.store);
  const loose = await t.store.objects.putBytes('written 10 minutes ago by the live run');
  await utimes(t.store.objects.localFile(loose.hash), new Date(Date.now() - 10 * 60_000), (await stat(t.store.objects.localFile(loose.hash))).mtime);
  const r = await collectGarbage(t.store, { keepLast: 0, graceMs: 0 });
  expect(r.runs.map((x) => x.runId)).toEqual([old.runId]);
  expect(new Date(r.cutoff).getTime()).toBeLessThanOrEqual(Date.now() - 30 * 60_000 + 1000);
  expect(await present(t.store, loose.hash)).toBe(true);
  for (const h of [live.manifest, ...live.files]) expect(await present(t.store, h)).toBe(true);
  for (const h of [old.manifest, ...old.files]) expect(await present(t.store, h)).toBe(false);
});

test('one gc at a time; a lock whose holder died is taken over; a damaged kept run stops gc before anything goes', async () => {
  await addRun(t.store);
  const kept = await addRun(t.store);
  await age(t.store);
  await t.store.maintenance.lockGc('{"what":"gc","pid":1}');
  await expect(collectGarbage(t.store, { keepLast: 1, graceMs: 0 })).rejects.toMatchObject({ code: 'GC_LOCKED', exitCode: 1 });
  const lock = path.join(t.store.location, keys.gcLock());
  await utimes(lock, new Date(Date.now() - HOUR), new Date(Date.now() - HOUR));
  await writeFile(path.join(t.store.location, keys.task('f', kept.runId, 's', '0')), '{"state": "succ');
  const before: string[] = [];
  for await (const o of t.store.maintenance.listObjects()) before.push(o.hash);
  await expect(collectGarbage(t.store, { keepLast: 1, graceMs: 0 })).rejects.toMatchObject({ code: 'GC_DAMAGED', exitCode: 1, message: expect.stringContaining('task.json is damaged') });
  const after: string[] = [];
  for await (const o of t.store.maintenance.listObjects()) after.push(o.hash);
  expect(after.sort()).toEqual(before.sort());
  expect((await t.store.maintenance.gcState()).running).toBe(false);
  expect(await t.store.maintenance.readGcLock()).toBeUndefined();
});
