/**
 * What `flowctl show PATH` shows, as data: built on the client API only, so the CLI and
 * library readers see the same thing. `--json` prints these objects as they are.
 */
import type { Artifact } from '../client/artifact.js';
import type { ClientContext } from '../client/context.js';
import { Flow, listFlows } from '../client/flow.js';
import type { Pathspec } from '../client/pathspec.js';
import { Run } from '../client/run.js';
import type { ArtifactJson, AttemptJson, CacheStatus, RunFilter, RunJson, StepJson, TaskJson } from '../client/types.js';
import { mapLimit } from '../store/fs-util.js';
import { isFlowctlError } from '../errors.js';

export type ShowView =
  | { kind: 'flows'; namespace: string | null; flows: Array<{ flow: string; latestRun: RunJson }> }
  | { kind: 'runs'; flow: string; namespace: string | null; runs: RunJson[] }
  | { kind: 'run'; run: RunJson; steps: StepJson[] }
  | { kind: 'step'; run: RunJson; step: StepJson; tasks: TaskJson[] }
  | { kind: 'task'; run: RunJson; task: TaskJson; attempts: AttemptJson[]; cache: CacheStatus }
  | { kind: 'artifact'; artifact: ArtifactJson };

const STEPS_IN_PARALLEL = 4;

/** The view of anything but an artifact's content (see `openArtifact`). */
export async function buildView(ctx: ClientContext, p: Exclude<Pathspec, { kind: 'artifact' }>, filter: RunFilter = {}): Promise<ShowView> {
  switch (p.kind) {
    case 'flows':
      return { kind: 'flows', namespace: ctx.namespace, flows: await latestPerFlow(ctx) };
    case 'flow': {
      const runs = await new Flow(p.flow, ctx).runs(filter);
      return { kind: 'runs', flow: p.flow, namespace: ctx.namespace, runs: runs.map((r) => r.toJSON()) };
    }
    case 'run': {
      const run = await Run.resolve(ctx, p.run);
      const steps = await run.steps();
      return { kind: 'run', run: run.toJSON(), steps: await mapLimit(steps, STEPS_IN_PARALLEL, (s) => s.summary()) };
    }
    case 'step': {
      const run = await Run.resolve(ctx, p.run);
      const step = run.step(p.step);
      const tasks = await step.tasks();
      return { kind: 'step', run: run.toJSON(), step: await step.summary(tasks), tasks: tasks.map((t) => t.toJSON()) };
    }
    case 'task': {
      const run = await Run.resolve(ctx, p.run);
      const task = await run.step(p.step).task(p.taskId).load();
      const [attempts, cache] = await Promise.all([task.attempts(), task.cacheStatus()]);
      return { kind: 'task', run: run.toJSON(), task: task.toJSON(), attempts: attempts.map((a) => a.toJSON()), cache };
    }
  }
}

/** The artifact a pathspec names (checked: NOT_FOUND names the task's outputs). */
export async function openArtifact(ctx: ClientContext, p: Extract<Pathspec, { kind: 'artifact' }>): Promise<{ artifact: Artifact; info: ArtifactJson }> {
  const run = await Run.resolve(ctx, p.run);
  const artifact = run.step(p.step).task(p.taskId).artifact(p.path);
  return { artifact, info: await artifact.info() };
}

/** Each flow's most recent run in the namespace, most recent first; flows with none there are left out. Reads run.json files only. */
async function latestPerFlow(ctx: ClientContext): Promise<Array<{ flow: string; latestRun: RunJson }>> {
  const flows = await listFlows(ctx);
  const latest = await mapLimit(flows, 8, async (f) => {
    try {
      return { flow: f.name, latestRun: (await f.latestRun()).toJSON() };
    } catch (e) {
      if (isFlowctlError(e) && e.code === 'NOT_FOUND') return undefined;
      throw e;
    }
  });
  return latest
    .filter((x): x is { flow: string; latestRun: RunJson } => x !== undefined)
    .sort((a, b) => (a.latestRun.runId < b.latestRun.runId ? 1 : a.latestRun.runId > b.latestRun.runId ? -1 : 0));
}
