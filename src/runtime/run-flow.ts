/**
 * The `run` and `resume` services: load and check the flow, resolve params, open the store,
 * decide what a resume clones; then runSession does the run. They know nothing of flags or
 * terminals; commands build the options and pass reporters.
 */
import path from 'node:path';
import { existsSync } from 'node:fs';
import { FlowctlError, FlowInvalidError } from '../errors.js';
import { stepsToRerun } from '../graph/resume-plan.js';
import { loadFlow } from '../spec/load.js';
import type { FlowSpec } from '../spec/types.js';
import { openStore } from '../store/open.js';
import type { RunRecord } from '../store/records.js';
import { checkTagList } from '../store/tag-rule.js';
import { executorKindOf } from '../executors/port.js';
import type { Store } from '../store/store.js';
import { executorProblems, runSetup, withExecutor, type RunSetup } from './executor-check.js';
import { refuseIfAlive } from './live-run-guard.js';
import { resolveParams, type ResolvedParams } from './params.js';
import { runSession, type Origin, type RunFlowResult, type SessionOptions } from './run-session.js';
import { signals } from './signals.js';

export type { RunFlowResult } from './run-session.js';

export interface RunFlowOptions extends SessionOptions {
  file: string;
  params?: string[];
  datastore?: string;
}

export interface ResumeOptions extends Omit<RunFlowOptions, 'file'> {
  runId: string;
  /** Flow file to use; default: the origin run's, found through its project root. */
  file?: string;
  /** Re-run this step and everything downstream of it, cloning only what is upstream. */
  from?: string;
  /** Resume even when the origin still looks alive (says running, heartbeat fresh). */
  force?: boolean;
}

export async function runFlow(o: RunFlowOptions): Promise<RunFlowResult> {
  checkTagList(o.tags ?? [], '--tag');
  if (o.handleSignals) signals.install();
  const { spec, store, resolved } = await prepareRun(o, { readOnly: false });
  return runSession(o, spec, store, resolved);
}

/** `flowctl resume`: a new run linked to the origin; the same tasks that succeeded there are cloned, the rest run. */
export async function resumeFlow(o: ResumeOptions): Promise<RunFlowResult> {
  checkTagList(o.tags ?? [], '--tag');
  if (o.handleSignals) signals.install();
  const { spec, store, resolved, origin } = await prepareResume(o, { readOnly: false });
  return runSession({ ...o }, spec, store, resolved, origin);
}

/** What a run starts from: the checked flow, its params and the store (read-only for a dry run: nothing is created). */
export interface PreparedRun {
  spec: FlowSpec;
  store: Store;
  resolved: ResolvedParams;
  origin?: Origin;
}

/** @internal The flow, params and store of `run` (also its dry run). */
export async function prepareRun(o: RunFlowOptions, { readOnly }: { readOnly: boolean }): Promise<PreparedRun> {
  const cwd = o.cwd ?? process.cwd();
  // As the user typed it, so problems read `flows/train.yaml:3:5`, not an absolute path.
  const spec = await loadRunnableFlow(o.cwd && !path.isAbsolute(o.file) ? path.join(o.cwd, o.file) : o.file, runSetup(o), o.executor);
  const resolved = resolveParams(spec, o.params ?? [], {}, process.env);
  const store = await openStore({ datastore: o.datastore, cwd, projectRoot: spec.root, create: true, readOnly });
  return { spec, store, resolved };
}

/** @internal The origin, flow, params and store of `resume` (also its dry run). */
export async function prepareResume(o: ResumeOptions, { readOnly }: { readOnly: boolean }): Promise<PreparedRun & { origin: Origin }> {
  const cwd = o.cwd ?? process.cwd();
  const store = await openStore({ datastore: o.datastore, cwd, readOnly });
  const found = await store.findRun(o.runId);
  if (!found) {
    throw new FlowctlError('NOT_FOUND', `no run '${o.runId}' in the store at ${store.location}`, {
      hint: 'list runs with `flowctl show FLOW`; pass --datastore if the run lives in another store',
    });
  }
  const origin = found.run;
  if (!o.force) refuseIfAlive(origin);
  const file = o.file ? path.resolve(cwd, o.file) : locateFlowFile(origin, cwd);
  const spec = await loadRunnableFlow(file, runSetup(o), o.executor);
  if (spec.name !== origin.flow) {
    throw new FlowctlError('FLOW_MISMATCH', `${o.file ?? file} is flow '${spec.name}', but run ${o.runId} is of flow '${origin.flow}'`);
  }
  const inherited = Object.fromEntries(Object.entries(origin.params).filter(([k]) => !(origin.secretParams ?? []).includes(k)));
  const resolved = resolveParams(spec, o.params ?? [], inherited, process.env);
  const rerun = o.from ? stepsToRerun(spec, o.from) : new Set<string>();
  return { spec, store, resolved, origin: { runId: origin.runId, rerun, from: o.from } };
}

/**
 * A valid flow whose every step has an executor available here (else FlowInvalidError, exit 2),
 * with `--executor` applied.
 */
export async function loadRunnableFlow(file: string, setup: RunSetup = {}, executor?: 'batch' | 'local'): Promise<FlowSpec> {
  const spec = withExecutor(await loadFlow(file), executor);
  const problems = await executorProblems(spec, setup);
  if (problems.length > 0) throw new FlowInvalidError(problems);
  // Bad timing variables are a usage error now, not a failed task later.
  if (hasBatchSteps(spec.steps)) (await import('../executors/batch/settings.js')).batchSettings(process.env);
  return spec;
}


function hasBatchSteps(steps: FlowSpec['steps']): boolean {
  return steps.some((s) => (s.kind === 'group' ? hasBatchSteps(s.steps) : executorKindOf(s) === 'batch'));
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
