/**
 * A local fake of the AWS Batch API for tests and benchmarks, run as a child process (see
 * fake-batch.ts). It speaks Batch's REST-JSON protocol to the real @aws-sdk/client-batch:
 * POST /v1/registerjobdefinition, /v1/describejobdefinitions, /v1/submitjob, /v1/describejobs
 * and /v1/terminatejob. Jobs move SUBMITTED → RUNNABLE → STARTING → RUNNING →
 * SUCCEEDED/FAILED like Batch's, each step after `stateMs`; an array job of size N has
 * children `<id>:<i>` with AWS_BATCH_JOB_ARRAY_INDEX=i. Each job runs its command
 * asynchronously: in podman when podman is installed and has the job's image, else as a local
 * process (with `flowctl` on its PATH), or in this process (`inprocess`: the benchmark's mode,
 * `flowctl task`'s own code without a Node start per job).
 *
 * Admin endpoints: GET /admin/calls (every API call: op, time, body, status), POST
 * /admin/faults (inject: throttle the next N calls of an op; lose the host of a job; kill one
 * for memory; fail image pulls), POST /admin/reset-calls.
 *
 * Config (JSON in argv[2]): { stateMs, slots, flowctlBin, secrets: {arn: value}, inprocess: {dist}, podman: 'auto'|false }.
 * Prints {"port": N} once listening.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.argv[2] ?? '{}');
const STATE_MS = config.stateMs ?? 100;
const SLOTS = config.slots ?? Infinity;
const work = mkdtempSync(path.join(os.tmpdir(), 'fake-batch-'));
const shimDir = path.join(work, 'bin');
mkdirSync(shimDir);
if (config.flowctlBin) {
  writeFileSync(path.join(shimDir, 'flowctl'), `#!/bin/sh\nexec "${process.execPath}" "${config.flowctlBin}" "$@"\n`);
  chmodSync(path.join(shimDir, 'flowctl'), 0o755);
}

/** @type {Array<{op: string, time: number, status: number, body: any}>} */
const calls = [];
const definitions = []; // {jobDefinitionName, revision, jobDefinitionArn, status, ...body}
const jobs = new Map(); // id → job
const faults = { throttle: {}, hostLoss: [], oom: [], pullFail: [] };
const waiting = []; // RUNNABLE jobs waiting for a slot
let running = 0;
let nextId = 1;

// ---- HTTP ----

const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c) => (raw += c));
  req.on('end', () => {
    let body = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      return send(res, 400, { message: 'bad JSON' }, 'ClientException');
    }
    const url = req.url.split('?')[0];
    if (url.startsWith('/admin/')) return admin(url, body, res);
    const op = OPS[url];
    if (!op) return send(res, 404, { message: `unknown operation ${url}` }, 'ClientException');
    const name = op.name;
    const throttled = faults.throttle[name] > 0;
    if (throttled) faults.throttle[name]--;
    const call = { op: name, time: Date.now(), status: 200, body };
    calls.push(call);
    if (throttled) {
      call.status = 429;
      return send(res, 429, { message: 'Too Many Requests' }, 'TooManyRequestsException');
    }
    try {
      send(res, 200, op.fn(body));
    } catch (e) {
      call.status = 400;
      send(res, 400, { message: e.message }, 'ClientException');
    }
  });
});

function send(res, status, obj, errorType) {
  const headers = { 'content-type': 'application/json' };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(JSON.stringify(errorType ? { __type: errorType, ...obj } : obj));
}

function admin(url, body, res) {
  if (url === '/admin/calls') return send(res, 200, { calls });
  if (url === '/admin/reset-calls') {
    calls.length = 0;
    return send(res, 200, {});
  }
  if (url === '/admin/faults') {
    for (const [op, n] of Object.entries(body.throttle ?? {})) faults.throttle[op] = (faults.throttle[op] ?? 0) + n;
    faults.hostLoss.push(...(body.hostLoss ?? []));
    faults.oom.push(...(body.oom ?? []));
    faults.pullFail.push(...(body.pullFail ?? []));
    return send(res, 200, {});
  }
  if (url === '/admin/jobs') return send(res, 200, { jobs: [...jobs.values()].map(describe) });
  send(res, 404, { message: 'no such admin endpoint' }, 'ClientException');
}

// ---- operations ----

const OPS = {
  '/v1/registerjobdefinition': { name: 'RegisterJobDefinition', fn: register },
  '/v1/describejobdefinitions': { name: 'DescribeJobDefinitions', fn: describeDefinitions },
  '/v1/submitjob': { name: 'SubmitJob', fn: submit },
  '/v1/describejobs': { name: 'DescribeJobs', fn: describeJobs },
  '/v1/terminatejob': { name: 'TerminateJob', fn: terminate },
};

function register(b) {
  need(b.jobDefinitionName, 'jobDefinitionName');
  need(b.type, 'type');
  if (b.type !== 'container') throw new Error(`type ${b.type} is not supported here`);
  need(b.containerProperties?.image, 'containerProperties.image');
  const revision = definitions.filter((d) => d.jobDefinitionName === b.jobDefinitionName).length + 1;
  const arn = `arn:aws:batch:us-east-1:123456789012:job-definition/${b.jobDefinitionName}:${revision}`;
  definitions.push({ ...b, revision, jobDefinitionArn: arn, status: 'ACTIVE' });
  return { jobDefinitionName: b.jobDefinitionName, jobDefinitionArn: arn, revision };
}

function describeDefinitions(b) {
  let found = definitions;
  if (b.jobDefinitionName) found = found.filter((d) => d.jobDefinitionName === b.jobDefinitionName);
  if (b.status) found = found.filter((d) => d.status === b.status);
  return { jobDefinitions: found };
}

function findDefinition(ref) {
  const m = /^(?:arn:.*:job-definition\/)?([^:]+)(?::(\d+))?$/.exec(ref ?? '');
  if (!m) return undefined;
  const named = definitions.filter((d) => d.jobDefinitionName === m[1] && d.status === 'ACTIVE');
  return m[2] ? named.find((d) => d.revision === Number(m[2])) : named.at(-1);
}

function submit(b) {
  need(b.jobName, 'jobName');
  need(b.jobQueue, 'jobQueue');
  need(b.jobDefinition, 'jobDefinition');
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/.test(b.jobName)) throw new Error(`invalid jobName ${b.jobName}`);
  const def = findDefinition(b.jobDefinition);
  if (!def) throw new Error(`job definition ${b.jobDefinition} not found`);
  const size = b.arrayProperties?.size;
  if (size !== undefined && (!Number.isInteger(size) || size < 2 || size > 10000)) throw new Error('arrayProperties.size must be 2..10000');
  const id = `${randomUUID().slice(0, 8)}-${nextId++}`;
  const base = { jobName: b.jobName, jobQueue: b.jobQueue, def, overrides: b.containerOverrides ?? {}, timeout: b.timeout, createdAt: Date.now() };
  const parent = { ...base, jobId: id, status: 'SUBMITTED', children: [] };
  jobs.set(id, parent);
  if (size) {
    for (let i = 0; i < size; i++) {
      const child = { ...base, jobId: `${id}:${i}`, status: 'SUBMITTED', index: i, parent };
      jobs.set(child.jobId, child);
      parent.children.push(child);
      advance(child);
    }
  } else {
    advance(parent);
  }
  return { jobArn: `arn:aws:batch:us-east-1:123456789012:job/${id}`, jobName: b.jobName, jobId: id };
}

function describeJobs(b) {
  const ids = b.jobs ?? [];
  if (ids.length > 100) throw new Error('jobs: at most 100 ids');
  return { jobs: ids.map((id) => jobs.get(id)).filter(Boolean).map(describe) };
}

function terminate(b) {
  need(b.jobId, 'jobId');
  need(b.reason, 'reason');
  const job = jobs.get(b.jobId);
  if (!job) throw new Error(`job ${b.jobId} not found`);
  for (const j of job.children?.length ? job.children : [job]) end(j, 'FAILED', { statusReason: b.reason, kill: true });
  return {};
}

function need(v, what) {
  if (v === undefined || v === null || v === '') throw new Error(`${what} is required`);
}

// ---- lifecycle ----

function advance(job) {
  const next = { SUBMITTED: 'RUNNABLE', RUNNABLE: 'STARTING', STARTING: 'RUNNING' }[job.status];
  if (!next) return;
  job.timer = setTimeout(() => {
    if (isFinal(job.status)) return;
    if (next === 'RUNNABLE') {
      job.status = 'RUNNABLE';
      if (job.jobQueue.includes('stuck')) return; // a queue no compute environment serves
      waiting.push(job);
      return schedule();
    }
    job.status = next;
    if (next === 'STARTING') job.startedAt = Date.now();
    if (next === 'RUNNING') return start(job);
    advance(job);
  }, STATE_MS);
}

function schedule() {
  while (running < SLOTS && waiting.length) {
    const job = waiting.shift();
    if (job.status !== 'RUNNABLE') continue;
    running++;
    job.slot = true;
    advance(job);
  }
}

function isFinal(s) {
  return s === 'SUCCEEDED' || s === 'FAILED';
}

/** A fault entry matches a job by child index and/or step (`--array` list entries name steps in the store, so by name). */
function takeFault(list, job) {
  const i = list.findIndex((f) => (f.index === undefined || f.index === job.index) && (f.jobName === undefined || job.jobName.includes(f.jobName)));
  if (i < 0) return undefined;
  const f = list[i];
  f.times = (f.times ?? 1) - 1;
  if (f.times <= 0) list.splice(i, 1);
  return f;
}

function start(job) {
  const c = job.def.containerProperties;
  if (faults.pullFail.includes(c.image)) {
    return end(job, 'FAILED', { statusReason: 'Task failed to start', reason: `CannotPullContainerError: pull image manifest has been retried 5 time(s): ${c.image}: not found` });
  }
  const env = { ...process.env };
  delete env.AWS_ENDPOINT_URL_BATCH;
  delete env.NODE_OPTIONS;
  for (const { name, value } of [...(c.environment ?? []), ...(job.overrides.environment ?? [])]) env[name] = value;
  for (const s of c.secrets ?? []) {
    const value = config.secrets?.[s.valueFrom];
    if (value === undefined) return end(job, 'FAILED', { statusReason: `ResourceInitializationError: unable to pull secrets or registry auth: ${s.valueFrom} not found` });
    env[s.name] = value;
  }
  Object.assign(env, {
    AWS_BATCH_JOB_ID: job.jobId, AWS_BATCH_JQ_NAME: job.jobQueue, AWS_BATCH_JOB_ATTEMPT: '1', AWS_BATCH_CE_NAME: 'fake-ce',
    ...(job.index !== undefined ? { AWS_BATCH_JOB_ARRAY_INDEX: String(job.index) } : {}),
  });
  const command = job.overrides.command ?? c.command;
  if (!command?.length) return end(job, 'FAILED', { statusReason: 'no command' });
  const lost = takeFault(faults.hostLoss, job);
  const oom = takeFault(faults.oom, job);
  job.dir = mkdtempSync(path.join(work, 'job-'));
  env.FLOWCTL_CACHE_DIR = path.join(job.dir, 'cache');
  if (config.inprocess) return runInProcess(job, command, env, lost, oom);
  const image = c.image;
  const podman = config.podman !== false && hasImage(image);
  const argv = podman
    ? ['podman', 'run', '--rm', '--network', 'host', ...Object.entries(env).filter(([k]) => k.startsWith('AWS_') || k.startsWith('FLOW')).flatMap(([k, v]) => ['-e', `${k}=${v}`]), image, ...command]
    : command;
  env.PATH = `${shimDir}:${env.PATH}`;
  const child = spawn(argv[0], argv.slice(1), { cwd: job.dir, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  job.child = child;
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  child.on('error', (e) => end(job, 'FAILED', { statusReason: `CannotStartContainerError: ${e.message}` }));
  child.on('exit', (code, signal) => {
    job.stderr = stderr;
    if (isFinal(job.status)) return;
    if (job.pendingEnd) return end(job, job.pendingEnd.status, { exitCode: code ?? 137, ...job.pendingEnd.o });
    if (code === 0) end(job, 'SUCCEEDED', { exitCode: 0 });
    else end(job, 'FAILED', { statusReason: 'Essential container in task exited', exitCode: code ?? 137, signal });
  });
  if (lost) setTimeout(() => end(job, 'FAILED', { statusReason: 'Host EC2 (instance i-0fake1234) terminated.', kill: 'SIGKILL' }), lost.afterMs ?? 0);
  if (oom) setTimeout(() => end(job, 'FAILED', { statusReason: 'Essential container in task exited', reason: 'OutOfMemoryError: Container killed due to memory usage', exitCode: 137, kill: 'SIGKILL' }), oom.afterMs ?? 0);
}

const inprocess = {};
async function runInProcess(job, command, env, lost, oom) {
  // `flowctl task --datastore URL (REF | --array ARRAY)`: the same service `flowctl task` calls.
  const dist = config.inprocess.dist;
  inprocess.attempt ??= await import(pathToFileURL(path.join(dist, 'executors/stored-attempt.js')).href);
  inprocess.open ??= await import(pathToFileURL(path.join(dist, 'store/open.js')).href);
  const at = command.indexOf('--datastore');
  const datastore = command[at + 1];
  const arrayAt = command.indexOf('--array');
  inprocess.stores ??= new Map();
  if (lost || oom) return end(job, 'FAILED', lost ? { statusReason: 'Host EC2 (instance i-0fake1234) terminated.' } : { statusReason: 'Essential container in task exited', reason: 'OutOfMemoryError: Container killed due to memory usage', exitCode: 137 });
  try {
    let store = inprocess.stores.get(datastore);
    if (!store) inprocess.stores.set(datastore, (store = inprocess.open.openStore({ datastore, cwd: job.dir, env: { ...env, FLOWCTL_CACHE_DIR: path.join(work, 'cache') } })));
    const s = await store;
    const a = inprocess.attempt;
    const ref = arrayAt >= 0 ? await a.resolveJobArrayChild(s, a.parseJobArrayRef(command[arrayAt + 1]), env) : a.parseAttemptRef(command.at(-1));
    const rec = await a.runStoredAttempt(s, ref, { env });
    end(job, rec.state === 'succeeded' ? 'SUCCEEDED' : 'FAILED', rec.state === 'succeeded' ? { exitCode: 0 } : { statusReason: 'Essential container in task exited', exitCode: 1 });
  } catch (e) {
    end(job, 'FAILED', { statusReason: `Essential container in task exited: ${e.message}`, exitCode: 2 });
  }
}

const images = new Map();
function hasImage(image) {
  if (!images.has(image)) {
    const which = spawnSync('sh', ['-c', 'command -v podman'], { encoding: 'utf8' });
    images.set(image, which.status === 0 && spawnSync('podman', ['image', 'exists', image]).status === 0);
  }
  return images.get(image);
}

function end(job, status, o = {}) {
  if (isFinal(job.status)) return;
  if (o.kill && job.child && job.child.exitCode === null && job.child.signalCode === null) {
    // Like Batch: the job ends when its container has stopped (TERM, then KILL after a grace period, as `docker stop`).
    if (job.pendingEnd) return;
    job.pendingEnd = { status, o: { ...o, kill: undefined } };
    const sig = o.kill === true ? 'SIGTERM' : o.kill;
    signalJob(job, sig);
    if (sig === 'SIGTERM') setTimeout(() => signalJob(job, 'SIGKILL'), 3000).unref();
    return;
  }
  clearTimeout(job.timer);
  const i = waiting.indexOf(job);
  if (i >= 0) waiting.splice(i, 1);
  job.status = status;
  job.stoppedAt = Date.now();
  job.statusReason = o.statusReason ?? (status === 'SUCCEEDED' ? 'Essential container in task exited' : undefined);
  job.container = { exitCode: o.exitCode, reason: o.reason };
  if (job.slot) {
    job.slot = false;
    running--;
    schedule();
  }
}

function signalJob(job, sig) {
  try {
    process.kill(-job.child.pid, sig);
  } catch { /* gone */ }
}

function describe(job) {
  const c = job.def.containerProperties;
  const d = {
    jobArn: `arn:aws:batch:us-east-1:123456789012:job/${job.jobId}`, jobName: job.jobName, jobId: job.jobId, jobQueue: job.jobQueue,
    status: job.status, createdAt: job.createdAt, jobDefinition: job.def.jobDefinitionArn,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}), ...(job.stoppedAt ? { stoppedAt: job.stoppedAt } : {}),
    ...(job.statusReason ? { statusReason: job.statusReason } : {}),
    container: {
      image: c.image, command: job.overrides.command ?? c.command,
      ...(job.container?.exitCode !== undefined ? { exitCode: job.container.exitCode } : {}),
      ...(job.container?.reason ? { reason: job.container.reason } : {}),
      ...(job.stoppedAt || job.status === 'RUNNING' ? { logStreamName: `${job.def.jobDefinitionName}/default/${job.jobId.replace(':', '-')}` } : {}),
    },
  };
  if (job.children?.length) {
    const summary = {};
    for (const ch of job.children) summary[ch.status] = (summary[ch.status] ?? 0) + 1;
    const done = job.children.every((ch) => isFinal(ch.status));
    d.status = done ? (job.children.every((ch) => ch.status === 'SUCCEEDED') ? 'SUCCEEDED' : 'FAILED') : job.children.some((ch) => ch.status !== 'SUBMITTED') ? 'PENDING' : 'SUBMITTED';
    d.arrayProperties = { size: job.children.length, statusSummary: summary };
  } else if (job.index !== undefined) {
    d.arrayProperties = { index: job.index };
  }
  return d;
}

// ---- life ----

function shutdown() {
  for (const job of jobs.values()) {
    if (job.child && job.child.exitCode === null) {
      try {
        process.kill(-job.child.pid, 'SIGKILL');
      } catch { /* gone */ }
    }
  }
  rmSync(work, { recursive: true, force: true });
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown);

server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`));
