/**
 * What `flowctl resume TARGET` names. TARGET is what `show`, `logs` and `tag` take for a run
 * (`RUN_ID`, `FLOW/RUN_ID`, `FLOW/latest`), or a flow file, which means that flow's latest run
 * (Metaflow's `python flow.py resume`). Resolved here, in the CLI, so the resume service keeps
 * taking a plain run id.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { defaultNamespace } from '../client/config.js';
import { ClientContext } from '../client/context.js';
import { parsePathspec, type RunRef } from '../client/pathspec.js';
import { Run } from '../client/run.js';
import { ExitCode, FlowctlError } from '../errors.js';

export interface ResumeTargetOptions {
  /** `--datastore` (else FLOWCTL_DATASTORE, else the nearest `.flowctl/`, as `run` finds it). */
  datastore?: string;
  /** The namespace `latest` is looked up in: the one the new run is recorded in. */
  namespace?: string;
  production?: boolean;
  cwd: string;
}

export interface ResumeTarget {
  runId: string;
  /** The flow file given as TARGET: the resumed run uses it. */
  file?: string;
  /** The store the run was found in, when the flow file's project located it. */
  datastore?: string;
}

/**
 * @throws FlowctlError USAGE (exit 2) when TARGET is neither a run nor a flow file; NOT_FOUND,
 * NAMESPACE_MISMATCH or STORE_NOT_FOUND from the client when the run cannot be found.
 */
export async function resolveResumeTarget(target: string, o: ResumeTargetOptions): Promise<ResumeTarget> {
  const namespace = o.namespace ?? (o.production ? 'production' : defaultNamespace());
  if (await isFile(path.resolve(o.cwd, target))) return latestOfFlowFile(target, namespace, o);
  if (/\.ya?ml$/i.test(target)) {
    throw new FlowctlError('FLOW_NOT_FOUND', `no flow file ${target}`, {
      exitCode: ExitCode.Usage,
      hint: 'resume takes a flow file (its latest run), RUN_ID, FLOW/RUN_ID or FLOW/latest',
    });
  }
  const p = parsePathspec(target);
  if (p.kind !== 'run') {
    const hint = p.kind === 'flow' ? `\`flowctl resume ${p.flow}/latest\` resumes its latest run` : 'give the run alone; --from STEP re-runs from a step';
    throw new FlowctlError('USAGE', `resume takes a run (RUN_ID, FLOW/RUN_ID or FLOW/latest) or a flow file, not ${JSON.stringify(target)}`, {
      exitCode: ExitCode.Usage, hint,
    });
  }
  return { runId: await resolveRun(p.run, namespace, o.datastore, o.cwd) };
}

async function latestOfFlowFile(file: string, namespace: string, o: ResumeTargetOptions): Promise<ResumeTarget> {
  const [{ loadFlow }, { locateStore }] = await Promise.all([import('../spec/load.js'), import('../store/open.js')]);
  const spec = await loadFlow(path.resolve(o.cwd, file));
  // The store `flowctl run FILE` would have used: nearest above cwd, else above the project.
  const datastore = await locateStore({ datastore: o.datastore, cwd: o.cwd, projectRoot: spec.root });
  if (!datastore) {
    throw new FlowctlError('STORE_NOT_FOUND', `no store found for ${file}: it has not run here yet`, {
      exitCode: ExitCode.Usage, hint: `run it first (\`flowctl run ${file}\`), or pass --datastore`,
    });
  }
  return { runId: await resolveRun({ flow: spec.name, runId: 'latest' }, namespace, datastore, o.cwd), file, datastore };
}

/** `latest` is looked up in the namespace; an explicit id names one run, in whatever namespace. */
async function resolveRun(ref: RunRef, namespace: string, datastore: string | undefined, cwd: string): Promise<string> {
  const ctx = new ClientContext({ datastore, cwd, namespace: ref.runId === 'latest' ? namespace : null });
  return (await Run.resolve(ctx, ref)).id;
}

async function isFile(p: string): Promise<boolean> {
  return (await stat(p).catch(() => undefined))?.isFile() ?? false;
}
