// Storing a 1 GiB output (moved into the store: hashing is the whole cost) against
// `openssl dgst -sha256` of the same file (the hashing floor), and staging it downstream.
// Targets (issue 8): store <= 1.3x openssl, no second copy on disk, staging <= 50 ms.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { median, quick, removeAndSettle, report, REPO, timeOnce } from './lib.mjs';

const { openStore } = await import(pathToFileURL(path.join(REPO, 'dist/store/index.js')).href);
const size = quick ? 256 : 1024; // MiB
const reps = quick ? 1 : 3;
const dir = mkdtempSync(path.join(os.tmpdir(), 'flowctl-bench-store-'));
const store = await openStore({ cwd: dir, projectRoot: dir });
const put = [];
const openssl = [];
const stage = [];
let sameInode = true;
for (let i = 0; i < reps; i++) {
  const work = path.join(dir, `work${i}`);
  execFileSync('mkdir', ['-p', work]);
  // distinct content per repetition, so every put really stores a new object
  execFileSync('sh', ['-c', `{ echo ${i}; head -c ${size}M /dev/urandom; } > ${work}/big.bin`]);
  openssl.push(timeOnce('openssl', ['dgst', '-sha256', `${work}/big.bin`]));
  const ino = statSync(`${work}/big.bin`).ino;
  let t0 = performance.now();
  const entry = await store.putOutput(work, 'big.bin', { move: true });
  put.push(performance.now() - t0);
  const objPath = path.join(store.location, 'objects/sha256', entry.hash.slice(0, 2), entry.hash);
  sameInode &&= statSync(objPath).ino === ino;
  t0 = performance.now();
  await store.stageOutput(entry, path.join(dir, `down${i}`, 'big.bin'));
  stage.push(performance.now() - t0);
}
removeAndSettle(dir);
const ratio = median(put) / median(openssl);
report([
  { name: `openssl dgst -sha256, ${size} MiB (floor)`, value: median(openssl), unit: 'ms' },
  { name: `store a ${size} MiB output`, value: median(put), unit: 'ms', note: sameInode ? 'moved: one inode, no second copy' : 'COPIED' },
  { name: 'store / openssl', value: ratio, unit: 'x', target: '<= 1.3x', met: ratio <= 1.3 && sameInode },
  { name: `stage the ${size} MiB output downstream`, value: median(stage), unit: 'ms', target: '<= 50 ms', met: median(stage) <= 50 },
], `store (median of ${reps})`);
