/**
 * `run --dry-run` and `resume --dry-run`: the plan of a run without running it. The real engine
 * walks the DAG with a PlanningRunner, so what it decides (fan-outs, `if:`, skips, reuse) is
 * what a run would decide. Nothing is written to the store: no run id is claimed, no record or
 * event written, and the code is hashed without storing objects (`snapshotCode({ hashOnly })`);
 * a store that does not exist yet is not created. The only change a dry run can make is the
 * integrity check's own: an output object found damaged while checking a cache hit is
 * quarantined, as any reader would.
 */
import { createHmac, randomBytes } from 'node:crypto';
import path from 'node:path';
import { FlowctlError } from '../errors.js';
import type { CacheExplainer } from '../graph/cache-status.js';
import { keyHasher, type KeyHasher } from '../graph/cache-key.js';
import type { Store } from '../store/store.js';
import { makeMasker, type Masker } from '../task/mask.js';
import { RunEngine } from './engine.js';
import { buildPlan, type RunPlan } from './dry-run-plan.js';
import { PlanningRunner } from './plan-runner.js';
import { prepareResume, prepareRun, type PreparedRun, type ResumeOptions, type RunFlowOptions } from './run-flow.js';

export type { PlannedStep, PlannedTaskState, RunPlan } from './dry-run-plan.js';
export type { PlannedTask } from './plan-runner.js';

/** What a dry run needs besides the run's options: who explains why a task is not reused (the client's StoreCacheExplainer). */
export interface DryRunOptions {
  explainer(store: Store, flow: string): CacheExplainer;
}

/** Stands in for the run id in commands that use `${{ run.id }}` (such tasks never match an earlier key). */
const PLANNED_RUN_ID = '<run-id>';
/** Lookups at once: a dry run only reads. */
const PARALLEL_LOOKUPS = 8;

/** @example const plan = await planRun({ file: 'flows/train.yaml', explainer: (s, f) => new StoreCacheExplainer(s, f) }) */
export async function planRun(o: RunFlowOptions & DryRunOptions): Promise<RunPlan> {
  return planSession(o, await prepareRun(o, { readOnly: true }));
}

/** The plan of `resume`: what it would clone from the origin, take from the cache, and run. */
export async function planResume(o: ResumeOptions & DryRunOptions): Promise<RunPlan> {
  return planSession(o, await prepareResume(o, { readOnly: true }));
}

async function planSession(o: (RunFlowOptions | ResumeOptions) & DryRunOptions, { spec, store, resolved, origin }: PreparedRun): Promise<RunPlan> {
  const { values: params, secrets } = resolved;
  const masker = makeMasker(secrets.map((n) => params[n]));
  const maskedParams = masker.value(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, secrets.includes(k) ? '***' : v]))) as Record<string, unknown>;
  const [hasher, code, storeExists] = await Promise.all([
    plannedHasher(store, masker),
    store.snapshotCode(spec.root, { hashOnly: true }),
    store.exists(),
  ]);
  const flowFile = path.relative(spec.root, spec.file);
  const runner = new PlanningRunner({
    store, flow: spec.name, code, flowFile, params, maskedParams, masker, hasher,
    reuse: { cache: !o.noCache, origin: origin && { runId: origin.runId, rerun: origin.rerun } },
    explainer: o.explainer(store, spec.name),
  });
  const engine = new RunEngine({
    spec, runId: PLANNED_RUN_ID, params, maxWorkers: PARALLEL_LOOKUPS, cpuBudget: Infinity, memoryBudgetMb: Infinity,
    emit: () => {}, runner,
    secrets: secrets.length > 0 ? { params: new Set(secrets), contains: masker.contains } : undefined,
  });
  const result = await engine.run();
  if (result.error) throw new FlowctlError('PLAN_FAILED', `could not plan the run: ${masker.message(result.error)}`, { exitCode: 1 });
  return buildPlan(spec, runner, {
    flowFile, datastore: store.location, storeExists, originRunId: origin?.runId ?? null, params: maskedParams, codeHash: code.hash,
    noCache: !!o.noCache,
  });
}

/**
 * Cache-key digests as a real run makes them, reading the store's secret key but never
 * creating one: without it no earlier key holds a secret digest, so any key misses.
 */
async function plannedHasher(store: Store, masker: Masker): Promise<KeyHasher> {
  if (!masker.active) return keyHasher();
  const secret = (await store.readCacheSecret()) ?? randomBytes(32);
  return keyHasher({ containsSecret: (text) => masker.contains(text), hmac: (text) => createHmac('sha256', secret).update(text).digest('hex') });
}
