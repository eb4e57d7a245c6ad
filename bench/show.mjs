// `flowctl show FLOW` over 1,000 runs: the issue asks for under a second.
// The runs' run.json records (and a few tag files) are written directly with the store API,
// for speed: no task ever runs, which does not matter since `show FLOW` reads run.json only.
// Usage: node bench/show.mjs [--quick] [--runs N]
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BIN, REPO, medianOf, table, timeOnce } from './lib.mjs';

const quick = process.argv.includes('--quick');
const nIdx = process.argv.indexOf('--runs');
const RUNS = nIdx > 0 ? Number(process.argv[nIdx + 1]) : 1000;
const REPS = quick ? 3 : 5;

const { openFsPorts, Store } = await import(path.join(REPO, 'dist/store/index.js'));
const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-bench-show-'));
const store = new Store(await openFsPorts(path.join(dir, '.flowctl')));

const t0 = Date.now();
const states = ['succeeded', 'succeeded', 'succeeded', 'failed', 'interrupted'];
for (let i = 0; i < RUNS; i++) {
  const runId = await store.newRunId('bench');
  const started = Date.now() - (RUNS - i) * 60_000;
  const user = i % 10 === 9 ? 'other' : 'bench';
  await store.writeRun({
    formatVersion: 1, flow: 'bench', runId, state: states[i % states.length],
    params: { folds: 3, lr: 0.5, epochs: 200, seed: i, dataset: 'data/churn.csv' }, secretParams: [],
    codeHash: 'c'.repeat(64), specHash: 's'.repeat(64), flowFile: 'train.yaml', user, namespace: `user:${user}`,
    tags: i % 7 === 0 ? ['nightly'] : [], startedAt: new Date(started).toISOString(),
    finishedAt: new Date(started + 42_000).toISOString(), heartbeatAt: new Date(started + 42_000).toISOString(),
    pid: 1, host: 'bench', taskCounts: { succeeded: 6 }, caughtFailures: 0,
  });
  if (i % 50 === 0) await store.writeTagEdits('bench', runId, { formatVersion: 1, added: ['best'], removed: [], updatedAt: new Date().toISOString() });
}
console.log(`wrote ${RUNS} run.json records of flow "bench" directly with the store API in ${Date.now() - t0} ms (${dir})`);
console.log(`(90% in namespace user:bench, 10% user:other; no tasks were run)\n`);

const env = { ...process.env, FLOWCTL_USER: 'bench', NO_COLOR: '1' };
const time = (args) => Math.round(medianOf(REPS, () => timeOnce('node', [BIN, ...args], { cwd: dir, env })));
const rows = [
  { command: 'flowctl --version (start-up only)', 'median ms': time(['--version']) },
  { command: `flowctl show bench            (${Math.round(RUNS * 0.9)} rows)`, 'median ms': time(['show', 'bench']) },
  { command: 'flowctl show bench --json', 'median ms': time(['show', 'bench', '--json']) },
  { command: `flowctl show bench -A         (${RUNS} rows)`, 'median ms': time(['show', 'bench', '-A']) },
  { command: 'flowctl show bench --limit 20', 'median ms': time(['show', 'bench', '--limit', '20']) },
  { command: 'flowctl show bench --tag best --status succeeded', 'median ms': time(['show', 'bench', '--tag', 'best', '--status', 'succeeded']) },
  { command: 'flowctl show                  (flows)', 'median ms': time(['show']) },
];
console.log(table(rows));
console.log(`\nmedian of ${REPS} (after one warm-up run), ${os.cpus().length} CPUs, node ${process.version}`);
// For bench/run.mjs's summary: the issue-8 target.
const showFlow = rows[1]['median ms'];
console.log(`BENCH ${JSON.stringify({ name: `flowctl show FLOW over ${RUNS} runs`, value: showFlow, unit: 'ms', target: '<= 1 s', met: showFlow <= 1000 })}`);
await rm(dir, { recursive: true, force: true });
