// AWS Batch (issue 15): a foreach of N batch tasks against the fake Batch endpoint
// (test/batch/fake-batch-main.mjs, jobs run `flowctl task`'s code in its own process so no Node
// start per job is charged) and s3rver as the store. Targets: 1 SubmitJob for the fan-out and
// <= 12 DescribeJobs calls per polling round (1,000 children / 100 ids a call = 10). Reported: every
// request by operation, and the wall time of `flowctl run` over the span Batch needed for the jobs
// (first job created → last job stopped), i.e. what the orchestrator adds: start-up, gathering,
// writing the specs, polling latency, reading the records.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BIN, REPO, quick, removeAndSettle, report, tmpProject } from './lib.mjs';

const N = quick ? 200 : 1000;
const POLL_MS = 5000; // the default
const flow = `version: 1
name: fan
steps:
  fit:
    foreach: \${{ range(${N}) }}
    executor: batch
    image: ghcr.io/example/flowctl-task:bench
    run: 'echo "item \${{ item }}" > out.txt'
    outputs: [out.txt]
`;

/** Start a helper server (prints {"port": N} once listening); resolves with the port and a stop(). */
async function server(args, env) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  child.channel?.unref();
  const exited = new Promise((r) => child.once('exit', r));
  const port = await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`${args.at(-1)} exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line).port));
  });
  return { port, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

const dir = tmpProject({ 'flow.yaml': flow });
const s3Env = (port, cache) => ({
  FLOWCTL_S3_ENDPOINT: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1',
  FLOWCTL_CACHE_DIR: path.join(dir, cache),
});
const s3 = await server(['--openssl-legacy-provider', path.join(REPO, 'test/s3/s3rver-main.cjs'), path.join(dir, 's3'), 'bucket']);
// 64 slots: a compute environment of 64 vCPUs running 1-vCPU jobs.
const fakeConfig = { stateMs: 100, slots: 64, flowctlBin: BIN, secrets: {}, inprocess: { dist: path.join(REPO, 'dist') } };
const batch = await server([path.join(REPO, 'test/batch/fake-batch-main.mjs'), JSON.stringify(fakeConfig)], s3Env(s3.port, 'job-cache'));
const endpoint = `http://127.0.0.1:${batch.port}`;
const admin = async (p) => (await fetch(`${endpoint}${p}`, { method: 'POST', body: '{}' })).json();

try {
  const env = { ...process.env, ...s3Env(s3.port, 'cache'), AWS_ENDPOINT_URL_BATCH: endpoint, FLOWCTL_BATCH_QUEUE: 'bench-queue' };
  const t0 = Date.now();
  const run = await new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'run', 'flow.yaml', '--datastore', 's3://bucket/bench', '--output', 'plain'], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err = (err + d).slice(-4000)));
    child.on('exit', (code) => resolve({ code, err }));
  });
  const wallMs = Date.now() - t0;
  if (run.code !== 0) throw new Error(`flowctl run exited ${run.code}: ${run.err}`);

  const { calls } = await admin('/admin/calls');
  const { jobs } = await admin('/admin/jobs');
  const byOp = {};
  for (const c of calls) byOp[c.op] = (byOp[c.op] ?? 0) + 1;
  // A polling round's calls go out together; rounds are POLL_MS apart.
  const rounds = [];
  for (const c of calls.filter((c) => c.op === 'DescribeJobs')) {
    const last = rounds.at(-1);
    if (last && c.time - last.at < POLL_MS / 2) last.n++;
    else rounds.push({ at: c.time, n: 1 });
  }
  const maxPerRound = Math.max(...rounds.map((r) => r.n));
  const children = jobs.filter((j) => j.arrayProperties?.index !== undefined);
  const spanMs = Math.max(...children.map((j) => j.stoppedAt)) - Math.min(...children.map((j) => j.createdAt));
  const submits = byOp.SubmitJob ?? 0;
  const submittedAt = calls.find((c) => c.op === 'SubmitJob').time;
  const lastStop = Math.max(...children.map((j) => j.stoppedAt));
  report([
    { name: `SubmitJob calls, foreach of ${N} batch tasks`, value: submits, unit: 'calls', target: '1', met: submits === 1, note: `array sizes ${calls.filter((c) => c.op === 'SubmitJob').map((c) => c.body.arrayProperties?.size ?? 1).join(', ')}` },
    { name: 'DescribeJobs calls per polling round (max)', value: maxPerRound, unit: 'calls', target: '<= 12', met: maxPerRound <= 12, note: `${rounds.length} rounds, poll every ${POLL_MS / 1000} s` },
    { name: 'requests in all', value: calls.length, unit: 'calls', note: Object.entries(byOp).map(([k, v]) => `${k} ${v}`).join(', ') },
    { name: `flowctl run, ${N} batch tasks (wall)`, value: wallMs, unit: 'ms' },
    { name: 'jobs on the fake Batch (first created → last stopped)', value: spanMs, unit: 'ms', note: `${fakeConfig.slots} slots` },
    { name: 'orchestration overhead over the jobs', value: wallMs - spanMs, unit: 'ms', note: `${((wallMs / spanMs - 1) * 100).toFixed(0)}% of the jobs' span` },
    { name: '  of which: start → SubmitJob', value: submittedAt - t0, unit: 'ms', note: 'start-up, planning, gathering, specs + child list to S3' },
    { name: '  of which: last job stopped → run over', value: t0 + wallMs - lastStop, unit: 'ms', note: 'next poll, records read, run finished' },
  ], `AWS Batch fan-out against the fake endpoint (${N} tasks)`);
} finally {
  await batch.stop();
  await s3.stop();
  removeAndSettle(dir);
}
