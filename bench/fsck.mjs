// `flowctl fsck` throughput on a local store of 100,000 objects (issue 16): objects/s and peak
// RSS. The store is written directly with the store API, for speed: 10,000 tasks of one run
// (100 runs × 100 tasks with --quick: 1,000 tasks), each with 10 file outputs of 1–4 KiB, a
// cache entry per task, one code snapshot. fsck re-hashes every object, reads every record and
// follows every reference; its memory must not grow with the store (a compact hash set).
// Usage: node bench/fsck.mjs [--quick] [--objects N]
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, REPO, quick, removeAndSettle, report, table } from './lib.mjs';

const nIdx = process.argv.indexOf('--objects');
const OBJECTS = nIdx > 0 ? Number(process.argv[nIdx + 1]) : quick ? 10_000 : 100_000;
const PER_TASK = 10;
const TASKS_PER_RUN = 100;

const { openFsPorts, Store, keys } = await import(path.join(REPO, 'dist/store/index.js'));
const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-bench-fsck-'));
const root = path.join(dir, '.flowctl');
const store = new Store(await openFsPorts(root));

const t0 = Date.now();
let bytes = 0;
const code = await store.objects.putBytes('steps: {}\n');
const codeManifest = JSON.stringify({ files: [{ path: 'flow.yaml', hash: code.hash, size: code.size, mode: 420 }] });
const codeHash = (await import(path.join(REPO, 'dist/store/hash.js'))).sha256(codeManifest);
await store.kv.put(keys.code(codeHash), codeManifest);
const tasks = Math.ceil(OBJECTS / PER_TASK);
let runId;
for (let t = 0; t < tasks; t++) {
  if (t % TASKS_PER_RUN === 0) {
    runId = await store.newRunId('bench');
    const now = new Date().toISOString();
    await store.writeRun({
      formatVersion: 1, flow: 'bench', runId, state: 'succeeded', params: {}, secretParams: [], codeHash, specHash: 's'.repeat(64),
      flowFile: 'flow.yaml', user: 'bench', namespace: 'user:bench', tags: [], startedAt: now, finishedAt: now, heartbeatAt: now,
      pid: 1, host: 'bench', taskCounts: { succeeded: TASKS_PER_RUN }, caughtFailures: 0,
    });
  }
  const taskId = String(t % TASKS_PER_RUN);
  const outputs = [];
  await Promise.all(Array.from({ length: PER_TASK }, async (_, i) => {
    const body = `task ${t} output ${i}\n`.repeat(40 + ((t * PER_TASK + i) % 160));
    const info = await store.objects.putBytes(body);
    bytes += info.size;
    outputs[i] = { path: `out-${i}.txt`, type: 'file', hash: info.hash, size: info.size };
  }));
  const cacheKey = (await import(path.join(REPO, 'dist/store/hash.js'))).sha256(`key ${t}`);
  await store.writeTask('bench', {
    formatVersion: 1, runId, step: 'work', taskId, state: 'succeeded', cacheKey, outputs, values: {}, attempts: 1,
    startedAt: new Date().toISOString(), finishedAt: new Date().toISOString(),
  });
  await store.writeCacheEntry(cacheKey, { flow: 'bench', runId, step: 'work', taskId });
}
const objects = tasks * PER_TASK + 1;
console.log(`wrote ${objects.toLocaleString('en-US')} objects (${(bytes / 2 ** 20).toFixed(0)} MiB), ${tasks.toLocaleString('en-US')} task records and cache entries in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);
spawnSync('sync');

// Cold-ish and warm page cache: the first pass reads the objects from disk if they were evicted.
const runs = [];
for (let i = 0; i < (quick ? 1 : 2); i++) {
  const t = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'node', BIN, 'fsck', '--json', '--datastore', root], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`fsck exited ${r.status}: ${r.stdout.slice(0, 2000)} ${r.stderr.slice(-2000)}`);
  const body = JSON.parse(r.stdout);
  const rssMiB = Number(r.stderr.trim().split('\n').pop()) / 1024;
  runs.push({ ms, rssMiB, body });
}
const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
const rate = best.body.objects.checked / (best.ms / 1000);
console.log(table(runs.map((r, i) => ({
  pass: i + 1, 'wall s': (r.ms / 1000).toFixed(1), 'objects/s': Math.round(r.body.objects.checked / (r.ms / 1000)), 'peak RSS MiB': r.rssMiB.toFixed(0),
  objects: r.body.objects.checked, records: r.body.records.checked, references: r.body.references, 'cache entries': r.body.cacheEntries.checked,
}))));
report([
  { name: `fsck, ${objects.toLocaleString('en-US')} objects (${(bytes / 2 ** 20).toFixed(0)} MiB): objects/s`, value: rate, unit: '/s', note: `${(best.ms / 1000).toFixed(1)} s wall` },
  { name: `fsck, ${objects.toLocaleString('en-US')} objects: peak RSS`, value: Math.max(...runs.map((r) => r.rssMiB)), unit: 'MiB', target: '≤ 300 MiB', met: Math.max(...runs.map((r) => r.rssMiB)) <= 300 },
], `fsck on ${os.cpus().length} CPUs, node ${process.version}`);
if (process.env.KEEP) console.log(dir); else removeAndSettle(dir);
