// `flowctl gc --dry-run` over a store of 100,000 objects (issue 16): objects/s and peak RSS.
// The store is written directly with the store API, for speed: 1,000 runs of one task each,
// whose `dir` output lists 50 files (51,000 referenced objects with the manifests), and 49,000
// loose objects no run references. gc --keep-last 500 then marks 500 runs, and would free the
// other 500 runs' objects and the loose ones. --quick: 20,000 objects.
// Usage: node bench/gc.mjs [--quick] [--objects N]
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BIN, REPO, quick, timeWithRss } from './lib.mjs';

const nIdx = process.argv.indexOf('--objects');
const OBJECTS = nIdx > 0 ? Number(process.argv[nIdx + 1]) : quick ? 20_000 : 100_000;
const FILES_PER_RUN = 50;
const RUNS = Math.floor(OBJECTS / 100);

const { openFsPorts, Store, dirManifestJson } = await import(path.join(REPO, 'dist/store/index.js')).then(async (m) => ({
  ...m, dirManifestJson: (await import(path.join(REPO, 'dist/store/manifest.js'))).dirManifestJson,
}));
const { mapLimit } = await import(path.join(REPO, 'dist/store/fs-util.js'));
const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-bench-gc-'));
const store = new Store(await openFsPorts(path.join(dir, '.flowctl')));
await mkdir(path.join(dir, 'project'));
const code = await store.snapshotCode(path.join(dir, 'project'));

const t0 = Date.now();
let made = 0;
await mapLimit(Array.from({ length: RUNS }, (_, i) => i), 8, async (i) => {
  const files = await mapLimit(Array.from({ length: FILES_PER_RUN }, (_, j) => j), 8, async (j) => {
    const body = `run ${i} file ${j} ${'x'.repeat(200)}\n`;
    const { hash, size } = await store.objects.putBytes(body);
    return { path: `f${j}.txt`, type: 'file', hash, size };
  });
  const manifest = await store.objects.putBytes(dirManifestJson(files));
  for (let k = 0; k < OBJECTS / RUNS - FILES_PER_RUN - 1; k++) await store.objects.putBytes(`loose ${i} ${k}\n`);
  made += OBJECTS / RUNS;
  const runId = await store.newRunId('bench');
  const at = new Date(Date.now() - (RUNS - i) * 60_000).toISOString();
  await store.writeRun({
    formatVersion: 1, flow: 'bench', runId, state: 'succeeded', params: {}, secretParams: [], codeHash: code.hash, specHash: 's'.repeat(64),
    flowFile: 'bench.yaml', user: 'bench', namespace: 'user:bench', tags: [], startedAt: at, finishedAt: at, heartbeatAt: at, pid: 1, host: 'bench',
  });
  await store.writeTask('bench', {
    formatVersion: 1, runId, step: 'make', taskId: '0', state: 'succeeded', itemIndices: [], values: {}, attempts: 1,
    outputs: [{ path: 'out', type: 'dir', hash: manifest.hash, size: files.reduce((n, f) => n + f.size, 0) }],
  });
});
console.log(`wrote ${made} objects and ${RUNS} runs with the store API in ${((Date.now() - t0) / 1000).toFixed(1)} s (${dir})`);

const env = { ...process.env, NO_COLOR: '1' };
const { ms, rssMiB } = timeWithRss('node', [BIN, 'gc', '--dry-run', '--json', '--keep-last', String(RUNS / 2), '--grace', '0s'], { cwd: dir, env });
const { execFileSync } = await import('node:child_process');
const result = JSON.parse(execFileSync('node', [BIN, 'gc', '--dry-run', '--json', '--keep-last', String(RUNS / 2), '--grace', '0s'], { cwd: dir, env, encoding: 'utf8' }));
const perSec = Math.round(result.scanned / (ms / 1000));
console.log(`flowctl gc --dry-run --keep-last ${RUNS / 2}: ${result.scanned} objects scanned in ${(ms / 1000).toFixed(2)} s = ${perSec} objects/s, peak RSS ${rssMiB.toFixed(0)} MiB`);
console.log(`  would remove ${result.runs.length} runs, ${result.objects.count} objects (${(result.objects.bytes / 2 ** 20).toFixed(1)} MiB); keeps ${result.kept.objects}`);
console.log(`BENCH ${JSON.stringify({ name: `gc --dry-run over ${result.scanned} objects`, value: perSec, unit: 'objects/s', detail: `peak RSS ${rssMiB.toFixed(0)} MiB` })}`);
if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
else await rm(dir, { recursive: true, force: true });
