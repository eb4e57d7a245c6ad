/**
 * The reference walk gc and fsck share (src/store/references.ts) and the maintenance surface
 * (src/store/maintenance.ts), on a store written by a real run: every object the store holds
 * is referenced by the run, directory outputs and code snapshots are expanded, damage is a
 * `problem` (never a throw), and deleteRun removes exactly the run's keys.
 */
import { stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openStore } from '../../src/store/open.js';
import { keys } from '../../src/store/records.js';
import { ReferenceWalker, type Reference } from '../../src/store/references.js';
import type { Store } from '../../src/store/store.js';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';
import { removeDir } from '../helpers/tmp.js';

const FLOW = `
version: 1
name: refs
steps:
  make:
    run: mkdir -p out/sub && echo a > out/a.txt && echo b > out/sub/b.txt && echo one > one.txt
    outputs: [out, one.txt]
  use:
    needs: [make]
    run: cat one.txt out/a.txt > two.txt
    outputs: [two.txt]
`;

let dir: string;
let store: Store;
let runId: string;
beforeAll(async () => {
  dir = await makeProject({ 'flows/refs.yaml': FLOW, 'flows/scripts/x.sh': 'echo x\n' });
  const r = await flowctl(['run', 'flows/refs.yaml'], { cwd: dir });
  expect(r.exitCode).toBe(0);
  runId = runIdFrom(r);
  store = await openStore({ cwd: dir });
}, 60_000);
afterAll(async () => {
  await removeDir(dir);
});

async function collect(it: AsyncIterable<Reference>): Promise<Reference[]> {
  const out: Reference[] = [];
  for await (const r of it) out.push(r);
  return out;
}

test('a run references every object in the store: outputs, dir manifests and their files, code files', async () => {
  const refs = await collect(new ReferenceWalker(store).run('refs', runId));
  expect(refs.filter((r) => r.kind === 'problem')).toEqual([]);
  const roles = new Set(refs.map((r) => (r.kind === 'object' ? r.role : r.kind)));
  expect([...roles].sort()).toEqual(['code', 'code-file', 'dir-file', 'dir-manifest', 'output']);
  const paths = refs.flatMap((r) => (r.kind === 'object' ? [`${r.role}:${r.path}`] : []));
  expect(paths).toEqual(expect.arrayContaining(['dir-file:out/a.txt', 'dir-file:out/sub/b.txt', 'output:one.txt', 'output:two.txt', 'code-file:scripts/x.sh']));
  const referenced = new Set(refs.flatMap((r) => (r.kind === 'object' ? [r.hash] : [])));
  const stored: string[] = [];
  for await (const o of store.maintenance.listObjects()) stored.push(o.hash);
  expect(stored.length).toBeGreaterThan(4);
  expect(stored.filter((h) => !referenced.has(h))).toEqual([]);
  const codes: string[] = [];
  for await (const c of store.maintenance.listCodeSnapshots()) codes.push(c.hash);
  expect(codes).toEqual([(await store.readRun('refs', runId))!.codeHash]);
});

test('one walker expands a shared manifest once; a damaged record or manifest is a problem, not a throw', async () => {
  const walker = new ReferenceWalker(store);
  await collect(walker.run('refs', runId));
  const again = await collect(walker.run('refs', runId));
  expect(again.some((r) => r.kind === 'object' && (r.role === 'dir-file' || r.role === 'code-file'))).toBe(false);

  const task = (await store.readTask('refs', runId, 'use', '0'))!;
  const taskFile = path.join(store.location, keys.task('refs', runId, 'use', '0'));
  await writeFile(taskFile, '{"runId": "tr');
  try {
    const refs = await collect(new ReferenceWalker(store).run('refs', runId));
    expect(refs).toContainEqual(expect.objectContaining({ kind: 'problem', problem: 'damaged', key: keys.task('refs', runId, 'use', '0') }));
  } finally {
    await store.writeTask('refs', task);
  }
  const codeHash = (await store.readRun('refs', runId))!.codeHash;
  const code = (await store.maintenance.peekCodeManifest(codeHash))!;
  await store.maintenance.deleteCodeSnapshot(codeHash);
  try {
    const refs = await collect(new ReferenceWalker(store).run('refs', runId));
    expect(refs).toContainEqual(expect.objectContaining({ kind: 'problem', problem: 'missing', key: keys.code(codeHash) }));
  } finally {
    await writeFile(path.join(store.location, keys.code(codeHash)), code);
  }
});

test('cache entries list with their task; deleteRun removes the run, its index entry and tags, nothing else', async () => {
  const entries = [];
  for await (const e of store.maintenance.listCacheEntries()) entries.push(e);
  expect(entries.length).toBe(2);
  expect(entries.every((e) => e.entry?.runId === runId)).toBe(true);

  await store.writeTagEdits('refs', runId, { formatVersion: 1, added: ['x'], removed: [], updatedAt: new Date().toISOString() });
  const before: string[] = [];
  for await (const k of store.maintenance.listKeys()) before.push(k.key);
  const removed = await store.maintenance.deleteRun('refs', runId);
  const after: string[] = [];
  for await (const k of store.maintenance.listKeys()) after.push(k.key);
  const gone = before.filter((k) => !after.includes(k));
  expect(gone.length).toBe(removed);
  expect(gone.every((k) => k.startsWith(`flows/refs/runs/${runId}/`) || k === keys.runIndex(runId) || k === keys.tags('refs', runId))).toBe(true);
  expect(gone).toEqual(expect.arrayContaining([keys.run('refs', runId), keys.runIndex(runId), keys.tags('refs', runId)]));
  expect(await store.findRun(runId)).toBeUndefined();
  expect(after.some((k) => k.startsWith('cache/tasks/'))).toBe(true); // entries are gc's to drop
});

test('maintenance reads (peek, rehash) do not count as a use: the object keeps its last-use time', async () => {
  const { hash } = await store.objects.putBytes('x'.repeat(10_000));
  const file = store.objects.localFile(hash);
  const old = new Date(Date.now() - 3 * 24 * 3600_000); // older than relatime's day: a plain read would move it
  await utimes(file, old, (await stat(file)).mtime);
  expect((await store.maintenance.peekObject(hash))?.length).toBe(10_000);
  expect(await store.maintenance.rehashObject(hash)).toBe('intact');
  expect((await store.maintenance.statObject(hash))?.usedAtMs).toBeCloseTo(old.getTime(), -3);
});
