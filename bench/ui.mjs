// `flowctl ui` at scale (issue 18): the runs page over 1,000 runs (target <= 300 ms), the page of a
// 10,000-task run (it must render: tasks aggregated by step, lists virtualised), and the server's
// memory while it follows a log that grows by 100 MiB. Records are written directly with the store
// API (no task runs), as bench/show.mjs does. With /usr/bin/chromium the pages are also timed in a
// real browser (playwright-core), from navigation to the rows or the DAG on screen.
// Usage: node bench/ui.mjs [--quick]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BIN, REPO, median, quick, report } from './lib.mjs';

const RUNS = 1000;
const TASKS = quick ? 2000 : 10_000;
const LOG_MIB = quick ? 20 : 100;
const REPS = quick ? 3 : 7;
const CHROMIUM = '/usr/bin/chromium';

const { openFsPorts, Store } = await import(path.join(REPO, 'dist/store/index.js'));
const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-bench-ui-'));
const store = new Store(await openFsPorts(path.join(dir, '.flowctl')));
const iso = (ms) => new Date(ms).toISOString();

function runRecord(flow, runId, i, started, extra = {}) {
  return {
    formatVersion: 1, flow, runId, state: ['succeeded', 'succeeded', 'failed', 'succeeded', 'interrupted'][i % 5],
    params: { folds: 3, lr: 0.5 + (i % 10) / 10, epochs: 200, seed: i, dataset: 'data/churn.csv' }, secretParams: [],
    codeHash: 'c'.repeat(64), specHash: 's'.repeat(64), flowFile: 'train.yaml', user: 'bench', namespace: i % 10 === 9 ? 'user:other' : 'user:bench',
    tags: i % 7 === 0 ? ['nightly'] : [], startedAt: iso(started), finishedAt: iso(started + 42_000), heartbeatAt: iso(started + 42_000),
    pid: 1, host: 'bench', taskCounts: { succeeded: 6 }, caughtFailures: 0, ...extra,
  };
}

// 1,000 runs of flow "bench".
let t0 = Date.now();
for (let i = 0; i < RUNS; i++) {
  const runId = await store.newRunId('bench');
  await store.writeRun(runRecord('bench', runId, i, Date.now() - (RUNS - i) * 60_000));
}
console.log(`wrote ${RUNS} runs in ${Date.now() - t0} ms`);

// One run of flow "big" with a fan-out of TASKS tasks between two single tasks.
t0 = Date.now();
const bigId = await store.newRunId('big');
const start = Date.now() - 3_600_000;
await store.writeRun({ ...runRecord('big', bigId, 0, start), taskCounts: { succeeded: TASKS + 2 } });
await store.appendEvent('big', bigId, { type: 'run-started', flow: 'big', params: {}, datastore: store.location, time: iso(start), runId: bigId,
  steps: [{ step: 'prep', foreach: false, needs: [] }, { step: 'fan', foreach: true, needs: ['prep'] }, { step: 'join', foreach: false, needs: ['fan'] }] });
const task = (step, taskId, i, s) => ({
  formatVersion: 1, runId: bigId, step, taskId, state: 'succeeded', ...(step === 'fan' ? { item: i } : {}), itemIndices: step === 'fan' ? [i] : [],
  command: `true ${i}`, cacheKey: 'k'.repeat(64), outputs: [], values: step === 'fan' ? { score: i / TASKS } : {}, attempts: 1,
  startedAt: iso(s), finishedAt: iso(s + 500), durationMs: 500,
});
await store.writeTask('big', task('prep', '0', 0, start));
for (let i = 0; i < TASKS; i++) await store.writeTask('big', task('fan', String(i), i, start + 1000 + i * 300));
await store.writeTask('big', task('join', '0', 0, start + 1000 + TASKS * 300));
console.log(`wrote a run of ${TASKS + 2} tasks in ${Date.now() - t0} ms`);

// A live run whose one task writes a long log while it is followed.
const liveId = await store.newRunId('live');
const heartbeat = async () => store.writeRun({ ...runRecord('live', liveId, 0, Date.now()), state: 'running', finishedAt: undefined, heartbeatAt: iso(Date.now()) });
await heartbeat();
await store.appendEvent('live', liveId, { type: 'run-started', flow: 'live', params: {}, datastore: store.location, time: iso(Date.now()), runId: liveId, steps: [{ step: 'talk', foreach: false, needs: [] }] });
const attemptDir = path.join(store.location, `flows/live/runs/${liveId}/steps/talk/tasks/0/attempts/1`);
await mkdir(attemptDir, { recursive: true });
await writeFile(path.join(attemptDir, 'stdout'), '');

const env = { ...process.env, FLOWCTL_USER: 'bench' };
const server = spawn('node', [BIN, 'ui', '--port', '0', '-A'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'inherit'] });
const origin = await new Promise((resolve, reject) => {
  server.stdout.on('data', (d) => { const m = /http:\/\/[^/]+/.exec(String(d)); if (m) resolve(m[0]); });
  server.on('exit', (c) => reject(new Error(`flowctl ui exited ${c}`)));
});

async function timeGet(url) {
  const t = process.hrtime.bigint();
  const res = await fetch(url);
  const body = await res.arrayBuffer();
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, bytes: body.byteLength };
}
const medianGet = async (url) => {
  await timeGet(url);
  const times = [];
  for (let i = 0; i < REPS; i++) times.push((await timeGet(url)).ms);
  return median(times);
};

const rows = [];
const runsCold = await timeGet(`${origin}/api/flows/bench/runs`);
rows.push({ name: `runs page API over ${RUNS} runs, first request`, value: runsCold.ms, unit: 'ms', note: 'reads every run.json; later requests only running runs and tags' });
const runsApi = await medianGet(`${origin}/api/flows/bench/runs`);
rows.push({ name: `runs page API over ${RUNS} runs (all namespaces)`, value: runsApi, unit: 'ms', target: '<= 300 ms', met: runsApi <= 300 });
const runsNs = await medianGet(`${origin}/api/flows/bench/runs?namespace=user:bench&state=succeeded`);
rows.push({ name: `runs page API, namespace + state filter`, value: runsNs, unit: 'ms', target: '<= 300 ms', met: runsNs <= 300 });
const cold = await timeGet(`${origin}/api/runs/big/${bigId}`);
rows.push({ name: `run page API, ${TASKS + 2} tasks, first load`, value: cold.ms, unit: 'ms', note: `${(cold.bytes / 2 ** 20).toFixed(1)} MiB JSON` });
const warm = await medianGet(`${origin}/api/runs/big/${bigId}`);
rows.push({ name: `run page API, ${TASKS + 2} tasks, cached`, value: warm, unit: 'ms' });

if (existsSync(CHROMIUM)) {
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(path.join(os.tmpdir(), 'flowctl-bench-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const page = await ctx.newPage();
  const pageTime = async (url, selector, count) => {
    const times = [];
    for (let i = 0; i < (quick ? 2 : 4); i++) {
      await page.goto('about:blank');
      const t = Date.now();
      await page.goto(url);
      await page.waitForFunction(([s, n]) => document.querySelectorAll(s).length >= n, [selector, count], { timeout: 60_000 });
      times.push(Date.now() - t);
    }
    return median(times.slice(1));
  };
  const runsPage = await pageTime(`${origin}/#/flows/bench`, '[data-testid=run-row]', 10);
  rows.push({ name: `runs page in chromium, ${RUNS} runs, to rows on screen`, value: runsPage, unit: 'ms' });
  const bigPage = await pageTime(`${origin}/#/runs/big/${bigId}`, '[data-testid=timeline-step]', 3);
  const shown = await page.evaluate(() => document.querySelectorAll('[data-testid=task-row]').length);
  rows.push({ name: `run page in chromium, ${TASKS + 2} tasks, to DAG and timeline`, value: bigPage, unit: 'ms', note: `${shown} task rows in the DOM (virtualised)` });
  await ctx.close();
  await rm(profile, { recursive: true, force: true });
}

// Follow the live task's log with a reader that takes its time, while LOG_MIB MiB are appended.
const vmHwm = () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
const vmRss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))[1]) / 1024;
const before = vmRss();
const ac = new AbortController();
const res = await fetch(`${origin}/api/logs/live?flow=live&run=${liveId}&step=talk&task=0&attempt=1`, { signal: ac.signal });
const reader = res.body.getReader();
let received = 0;
const reading = (async () => {
  for (;;) {
    const { done, value } = await reader.read().catch(() => ({ done: true }));
    if (done) return;
    received += value.length;
    await new Promise((r) => setTimeout(r, 2)); // a slow browser
  }
})();
const line = `${'x'.repeat(99)}\n`;
const chunk = line.repeat(10_000); // ~1 MiB
t0 = Date.now();
let peak = before;
for (let i = 0; i < LOG_MIB; i++) {
  await appendFile(path.join(attemptDir, 'stdout'), chunk);
  if (i % 10 === 0) await heartbeat();
  peak = Math.max(peak, vmRss());
  await new Promise((r) => setTimeout(r, 20));
}
await store.writeAttempt('live', liveId, 'talk', '0', { formatVersion: 1, attempt: 1, state: 'succeeded', exitCode: 0, signal: null, startedAt: iso(t0), finishedAt: iso(Date.now()), durationMs: Date.now() - t0 });
for (let i = 0; i < 600 && received < LOG_MIB * chunk.length; i++) {
  peak = Math.max(peak, vmRss());
  await new Promise((r) => setTimeout(r, 100));
}
ac.abort();
await reading;
const growth = peak - before;
rows.push({
  name: `server RSS growth following a ${LOG_MIB} MiB log (slow reader)`, value: growth, unit: 'MiB', target: '<= 64 MiB', met: growth <= 64,
  note: `RSS ${before.toFixed(0)} -> peak ${peak.toFixed(0)} MiB (VmHWM ${vmHwm().toFixed(0)}), ${(received / 2 ** 20).toFixed(0)} MiB streamed`,
});

server.kill('SIGTERM');
report(rows, `flowctl ui (${RUNS} runs; a ${TASKS + 2}-task run; a ${LOG_MIB} MiB log)`);
await rm(dir, { recursive: true, force: true });
