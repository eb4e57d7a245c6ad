/**
 * One run, from its first record to its last: masking and cache-key hashing for its secrets,
 * the code snapshot, a claimed run id, the run record and heartbeat, the event bus, the
 * executors and the engine; then the final record. Callers (runFlow, resumeFlow) decide what
 * runs; this does it.
 */
import { createHmac } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ExitCode } from '../errors.js';
import { ExecutorSet } from '../executors/index.js';
import { keyHasher, type KeyHasher } from '../graph/cache-key.js';
import type { FlowSpec, StepSpec } from '../spec/types.js';
import { currentUser, resolveNamespace } from '../store/identity.js';
import type { RunState } from '../store/records.js';
import type { Store } from '../store/store.js';
import { makeMasker, shortSecretWarnings, type Masker } from '../task/mask.js';
import { RunEngine } from './engine.js';
import { EventBus } from './event-bus.js';
import { EventLog } from './event-log.js';
import type { Reporter } from './events.js';
import { prepareRunIdFile, writeRunIdFile } from './run-id-file.js';
import { RunRecorder } from './run-record.js';
import { signals } from './signals.js';
import { StoreTaskRunner } from './task-runner.js';

export interface SessionOptions {
  maxWorkers?: number;
  tags?: string[];
  namespace?: string;
  production?: boolean;
  runIdFile?: string;
  cwd?: string;
  reporters?: Reporter[];
  handleSignals?: boolean;
  keepFailedDirs?: boolean;
  noCache?: boolean;
  /** `--executor`: send every step with an image to AWS Batch, or run every step here. */
  executor?: 'batch' | 'local';
  /** `--batch-queue`: the job queue of batch steps that name none (else FLOWCTL_BATCH_QUEUE). */
  batchQueue?: string;
}

export interface RunFlowResult {
  runId: string;
  flow: string;
  state: RunState;
  exitCode: number;
  datastore: string;
  caughtFailures: number;
}

/** What a resume adds: the origin run, and the steps to run again whatever the origin did. */
export interface Origin {
  runId: string;
  rerun: Set<string>;
  from?: string;
}

export async function runSession(
  o: SessionOptions,
  spec: FlowSpec,
  store: Store,
  { values: params, secrets }: { values: Record<string, unknown>; secrets: string[] },
  origin?: Origin,
): Promise<RunFlowResult> {
  const cwd = o.cwd ?? process.cwd();
  const runIdFile = o.runIdFile && path.resolve(cwd, o.runIdFile);
  if (runIdFile) await prepareRunIdFile(runIdFile, o.runIdFile!);
  const masker = makeMasker(secrets.map((n) => params[n]));
  const hasher = await cacheKeyHasher(store, masker);
  for (const w of shortSecretWarnings(params, secrets)) process.stderr.write(`warning: ${w}\n`);
  // The id is claimed before the snapshot: a gc starting meanwhile sees a starting run and keeps
  // what the snapshot reuses (see the README's "Maintaining a store").
  const runId = await store.newRunId(spec.name);
  // What crashed runs left in the scratch space goes while this one runs (never a live run's).
  const leftovers = store.removeLeftovers();
  const gcMark = await store.gcMark();
  const code = await store.snapshotCode(spec.root);

  signals.throwIfEarly();
  const user = currentUser();
  const started = Date.now();
  const recorder = RunRecorder.start(store, {
    flow: spec.name, runId, params: masker.value(maskSecrets(params, secrets)), secretParams: secrets, codeHash: code.hash,
    specHash: spec.specHash, flowFile: path.relative(spec.root, spec.file), user,
    namespace: resolveNamespace({ namespace: o.namespace, production: o.production, user }), tags: o.tags ?? [],
    originRunId: origin?.runId, resumedFrom: origin?.from, projectRoot: spec.root,
  });
  await recorder.write();
  await store.keepCode(spec.root, code, gcMark);
  // Only now: an id in the file always names a run that resume can find.
  if (runIdFile) await writeRunIdFile(runIdFile, runId);

  const bus = new EventBus(runId, masker);
  for (const r of o.reporters ?? []) bus.add(r);
  bus.add(new EventLog(store, spec.name, runId));
  bus.emit({
    type: 'run-started', flow: spec.name, params: recorder.record.params, datastore: store.location, originRunId: origin?.runId,
    steps: flattenSteps(spec.steps),
  });
  if (code.skipped.length > 0) bus.emit({ type: 'warning', message: leftOutMessage(code.skipped) });

  const cpus = os.availableParallelism();
  const maxWorkers = o.maxWorkers ?? cpus;
  const executors = new ExecutorSet({ store, masker, scratchName: runId, code, keepFailedDirs: o.keepFailedDirs }, {
    batch: { env: process.env, warn: (message) => bus.emit({ type: 'warning', message }) },
  });
  const runner = new StoreTaskRunner({
    store, executors, flow: spec.name, runId, code, params, masker, emit: (e) => bus.emit(e), flowFile: recorder.record.flowFile,
    cache: !o.noCache, origin: origin && { runId: origin.runId, rerun: origin.rerun }, hasher, batchQueue: o.batchQueue || process.env.FLOWCTL_BATCH_QUEUE || undefined,
  });
  const engine = new RunEngine({
    spec, runId, params, maxWorkers, cpuBudget: Math.max(cpus, maxWorkers), memoryBudgetMb: Math.floor(os.totalmem() / 2 ** 20),
    emit: (e) => bus.emit(e),
    runner,
    secrets: secrets.length > 0 ? { params: new Set(secrets), contains: masker.contains } : undefined,
  });

  recorder.beat();
  if (o.handleSignals) signals.attach(engine);
  let result;
  try {
    result = await engine.run();
  } finally {
    recorder.stopBeating();
    signals.detach();
    await executors.settle();
    // Task directories of this run are scratch; failed ones are kept only when asked for.
    if (!o.keepFailedDirs) await store.removeScratch('tasks', runId);
    await leftovers;
  }
  const state: RunState = result.interrupted ? 'interrupted' : result.failed ? 'failed' : 'succeeded';
  await recorder.finish({ state, counts: result.counts, caughtFailures: result.caughtFailures, error: result.error && masker.message(result.error) });
  bus.emit({ type: 'run-finished', state, durationMs: Date.now() - started, counts: result.counts, caughtFailures: result.caughtFailures, error: result.error });
  await bus.close();
  return {
    runId, flow: spec.name, state, datastore: store.location, caughtFailures: result.caughtFailures,
    exitCode: state === 'succeeded' ? ExitCode.Success : state === 'interrupted' ? ExitCode.Interrupted : ExitCode.StepFailed,
  };
}

/** Cache-key digests: values holding a secret get a keyed hash with the store's own key (read only when there are secrets). */
async function cacheKeyHasher(store: Store, masker: Masker): Promise<KeyHasher> {
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

/** The run-started event's steps; `deps` (a step's code globs) lets `show` name the code files a step's key covers. */
function flattenSteps(steps: StepSpec[], parent?: string): Array<{ step: string; parent?: string; foreach: boolean; needs: string[]; deps?: string[] }> {
  return steps.flatMap((s) => {
    const p = parent ? `${parent}.${s.name}` : s.name;
    const self = {
      step: p, parent, foreach: s.foreach !== undefined, needs: s.needs.map((n) => (parent ? `${parent}.${n}` : n)),
      ...(s.kind === 'task' && s.deps ? { deps: s.deps } : {}),
    };
    return s.kind === 'group' ? [self, ...flattenSteps(s.steps, p)] : [self];
  });
}

/** Project entries the code snapshot left out (links to directories, broken links, sockets): said once per run. */
function leftOutMessage(paths: string[]): string {
  const shown = paths.slice(0, 5).join(', ') + (paths.length > 5 ? ` and ${paths.length - 5} more` : '');
  return `not in the task directory: ${shown} (a symlink to a directory, a broken symlink or not a regular file; ` +
    'tasks see files and links to files only). Add them to .flowctlignore to silence this.';
}
