/**
 * The `run` service: load → params → store → code snapshot → run record → engine → final
 * record. Knows nothing of flags or terminals; the command builds RunFlowOptions and
 * passes reporters.
 */
import { createHmac } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { ExitCode, FlowctlError } from '../errors.js';
import { getExecutor } from '../executors/index.js';
import { loadFlow } from '../spec/load.js';
import { findStoreDir, openStore, STORE_DIR } from '../store/open.js';
import { keys, type RunRecord, type RunState } from '../store/records.js';
import { LocalTaskRunner } from '../task/run-task.js';
import { RunEngine } from './engine.js';
import { EventBus } from './event-bus.js';
import { EventLog } from './event-log.js';
import type { Reporter } from './events.js';
import { currentUser, resolveNamespace } from './identity.js';
import { keyHasher, type KeyHasher } from './cache-key.js';
import { makeMasker, shortSecretWarnings, type Masker } from './mask.js';
import { resolveParams } from './params.js';

export interface RunFlowOptions {
  file: string;
  params?: string[];
  maxWorkers?: number;
  tags?: string[];
  namespace?: string;
  production?: boolean;
  datastore?: string;
  runIdFile?: string;
  cwd?: string;
  reporters?: Reporter[];
  /** Install SIGINT/SIGTERM handlers that interrupt the run (the CLI does; tests may not). */
  handleSignals?: boolean;
  keepFailedDirs?: boolean;
  /** `--no-cache`: don't reuse results of earlier runs by cache key. */
  noCache?: boolean;
}

export interface ResumeOptions extends Omit<RunFlowOptions, 'file'> {
  runId: string;
  /** Flow file to use; default: the origin run's, found through its project root. */
  file?: string;
  /** Re-run this step and everything downstream of it, cloning only what is upstream. */
  from?: string;
}

export interface RunFlowResult {
  runId: string;
  flow: string;
  state: RunState;
  exitCode: number;
  datastore: string;
  caughtFailures: number;
}

const HEARTBEAT_MS = 5000;

export async function runFlow(o: RunFlowOptions): Promise<RunFlowResult> {
  if (o.handleSignals) signals.install();
  const cwd = o.cwd ?? process.cwd();
  // As the user typed it, so problems read `flows/train.yaml:3:5`, not an absolute path.
  const spec = await loadFlow(o.cwd && !path.isAbsolute(o.file) ? path.join(o.cwd, o.file) : o.file);
  const resolved = resolveParams(spec, o.params ?? [], {}, process.env);
  const store = await openStore({ datastore: o.datastore ?? (await defaultStoreDir(cwd, spec.root)), cwd });
  return execute(o, spec, store, resolved);
}

/** `flowctl resume`: a new run linked to the origin; its successful tasks are cloned, the rest run. */
export async function resumeFlow(o: ResumeOptions): Promise<RunFlowResult> {
  if (o.handleSignals) signals.install();
  const cwd = o.cwd ?? process.cwd();
  const store = await openStore({ datastore: o.datastore, cwd });
  const found = await store.findRun(o.runId);
  if (!found) {
    throw new FlowctlError('NOT_FOUND', `no run '${o.runId}' in the store at ${store.location}`, {
      hint: 'list runs with `flowctl show FLOW`; pass --datastore if the run lives in another store',
    });
  }
  const origin = found.run;
  const file = o.file ? path.resolve(cwd, o.file) : locateFlowFile(origin, cwd);
  const spec = await loadFlow(file);
  if (spec.name !== origin.flow) {
    throw new FlowctlError('FLOW_MISMATCH', `${o.file ?? file} is flow '${spec.name}', but run ${o.runId} is of flow '${origin.flow}'`);
  }
  const inherited = Object.fromEntries(Object.entries(origin.params).filter(([k]) => !(origin.secretParams ?? []).includes(k)));
  const resolved = resolveParams(spec, o.params ?? [], inherited, process.env);
  const { stepsToRerun } = await import('./resume-plan.js');
  const rerun = o.from ? stepsToRerun(spec, o.from) : new Set<string>();
  return execute({ ...o, file }, spec, store, resolved, { runId: origin.runId, rerun, from: o.from });
}

/**
 * Without --datastore: the nearest `.flowctl/` above the working directory (like git), else
 * one above the flow's project root, else a new one in the working directory (as Metaflow
 * does), so `flowctl run flows/train.yaml` then `flowctl show train` from the same place
 * find the same store.
 */
async function defaultStoreDir(cwd: string, projectRoot: string): Promise<string | undefined> {
  if (process.env.FLOWCTL_DATASTORE) return undefined;
  return (await findStoreDir(cwd)) ?? (await findStoreDir(projectRoot)) ?? path.join(cwd, STORE_DIR);
}

function locateFlowFile(origin: RunRecord, cwd: string): string {
  const candidates = [origin.projectRoot && path.join(origin.projectRoot, origin.flowFile), path.resolve(cwd, origin.flowFile)];
  const hit = candidates.find((c): c is string => !!c && existsSync(c));
  if (!hit) {
    throw new FlowctlError('FLOW_NOT_FOUND', `cannot find the flow file of run ${origin.runId} (${origin.flowFile})`, {
      hint: 'pass it with --file PATH',
    });
  }
  return hit;
}

async function execute(
  o: RunFlowOptions,
  spec: import('../spec/types.js').FlowSpec,
  store: import('../store/store.js').Store,
  { values: params, secrets }: { values: Record<string, unknown>; secrets: string[] },
  origin?: { runId: string; rerun: Set<string>; from?: string },
): Promise<RunFlowResult> {
  const cwd = o.cwd ?? process.cwd();
  const masker = makeMasker(secrets.map((n) => params[n]));
  const hasher = await cacheKeyHasher(store, masker);
  for (const w of shortSecretWarnings(params, secrets)) process.stderr.write(`warning: ${w}\n`);
  const code = await store.snapshotCode(spec.root);
  const runId = await store.newRunId(spec.name);

  signals.throwIfEarly();
  const user = currentUser();
  const started = Date.now();
  const record: RunRecord = {
    formatVersion: 1, flow: spec.name, runId, state: 'running', params: masker.value(maskSecrets(params, secrets)),
    secretParams: secrets, codeHash: code.hash, specHash: spec.specHash, flowFile: path.relative(spec.root, spec.file),
    user, namespace: resolveNamespace({ namespace: o.namespace, production: o.production, user }), tags: o.tags ?? [],
    originRunId: origin?.runId, resumedFrom: origin?.from, projectRoot: spec.root,
    startedAt: new Date(started).toISOString(), heartbeatAt: new Date(started).toISOString(), pid: process.pid, host: os.hostname(),
  };
  const writeRun = () => store.backend.putText(keys.run(spec.name, runId), JSON.stringify(record, null, 2));
  await writeRun();
  // Only now: an id in the file always names a run that resume can find.
  if (o.runIdFile) await writeFile(path.resolve(cwd, o.runIdFile), runId + '\n');

  const bus = new EventBus(runId, masker);
  for (const r of o.reporters ?? []) bus.add(r);
  bus.add(new EventLog(store, spec.name, runId));
  bus.emit({
    type: 'run-started', flow: spec.name, params: record.params, datastore: store.backend.location, originRunId: origin?.runId,
    steps: flattenSteps(spec.steps),
  });

  const cpus = os.availableParallelism();
  const maxWorkers = o.maxWorkers ?? cpus;
  const runner = new LocalTaskRunner({
    store, executor: getExecutor('local'), flow: spec.name, runId, code, params, masker,
    emit: (e) => bus.emit(e), keepFailedDirs: o.keepFailedDirs, flowFile: record.flowFile, cache: !o.noCache,
    origin: origin && { runId: origin.runId, rerun: origin.rerun }, hasher,
  });
  const engine = new RunEngine({
    spec, runId, params, maxWorkers, cpuBudget: Math.max(cpus, maxWorkers), memoryBudgetMb: Math.floor(os.totalmem() / 2 ** 20),
    emit: (e) => bus.emit(e),
    runner,
    secrets: secrets.length > 0 ? { params: new Set(secrets), contains: masker.contains } : undefined,
  });

  const heartbeat = setInterval(() => {
    record.heartbeatAt = new Date().toISOString();
    void writeRun().catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  if (o.handleSignals) signals.attach(engine);

  let result;
  try {
    result = await engine.run();
  } finally {
    clearInterval(heartbeat);
    signals.detach();
    await runner.settle();
    // Task directories of this run are scratch; failed ones are kept only when asked for.
    if (!o.keepFailedDirs) await rm(path.join(store.backend.scratchDir(), 'tasks', runId), { recursive: true, force: true }).catch(() => {});
  }
  const state: RunState = result.interrupted ? 'interrupted' : result.failed ? 'failed' : 'succeeded';
  const finished = Date.now();
  Object.assign(record, {
    state, finishedAt: new Date(finished).toISOString(), heartbeatAt: new Date(finished).toISOString(),
    taskCounts: result.counts, caughtFailures: result.caughtFailures, error: result.error && masker.message(result.error),
  });
  await writeRun();
  bus.emit({ type: 'run-finished', state, durationMs: finished - started, counts: result.counts, caughtFailures: result.caughtFailures, error: result.error });
  await bus.close();
  return {
    runId, flow: spec.name, state, datastore: store.backend.location, caughtFailures: result.caughtFailures,
    exitCode: state === 'succeeded' ? ExitCode.Success : state === 'interrupted' ? ExitCode.Interrupted : ExitCode.StepFailed,
  };
}

/** Cache-key digests: values holding a secret get a keyed hash with the store's own key (read only when there are secrets). */
async function cacheKeyHasher(store: import('../store/store.js').Store, masker: Masker): Promise<KeyHasher> {
  if (!masker.active) return keyHasher();
  const secret = await store.cacheSecret();
  return keyHasher({
    containsSecret: (text) => masker.contains(text),
    hmac: (text) => createHmac('sha256', secret).update(text).digest('hex'),
  });
}

function maskSecrets(params: Record<string, unknown>, secrets: string[]): Record<string, unknown> {
  const out = { ...params };
  for (const s of secrets) out[s] = '***';
  return out;
}

function flattenSteps(steps: import('../spec/types.js').StepSpec[], parent?: string): Array<{ step: string; parent?: string; foreach: boolean; needs: string[] }> {
  return steps.flatMap((s) => {
    const p = parent ? `${parent}.${s.name}` : s.name;
    const self = { step: p, parent, foreach: s.foreach !== undefined, needs: s.needs.map((n) => (parent ? `${parent}.${n}` : n)) };
    return s.kind === 'group' ? [self, ...flattenSteps(s.steps, p)] : [self];
  });
}

/**
 * SIGINT/SIGTERM handling. Installed first thing, so a Ctrl-C during loading is not lost:
 * before the run record exists it ends the command (exit 130, nothing to resume); after,
 * the first signal stops the run gracefully (TERM, grace, KILL) and a second kills at once.
 */
const signals = {
  count: 0,
  engine: undefined as RunEngine | undefined,
  installed: false,
  handler(): void {
    signals.count++;
    signals.engine?.interrupt(signals.count > 1);
  },
  install(): void {
    if (signals.installed) return;
    signals.installed = true;
    const early = (globalThis as { __flowctlEarlySignalHandler?: () => void }).__flowctlEarlySignalHandler;
    if (early) {
      process.off('SIGINT', early);
      process.off('SIGTERM', early);
    }
    process.on('SIGINT', signals.handler);
    process.on('SIGTERM', signals.handler);
  },
  throwIfEarly(): void {
    if (signals.count > 0) {
      throw new FlowctlError('INTERRUPTED', 'interrupted before the run started; nothing was recorded', { exitCode: ExitCode.Interrupted });
    }
  },
  attach(engine: RunEngine): void {
    signals.engine = engine;
    if (signals.count > 0) engine.interrupt(signals.count > 1);
  },
  detach(): void {
    signals.engine = undefined;
    process.off('SIGINT', signals.handler);
    process.off('SIGTERM', signals.handler);
    signals.installed = false;
  },
};
