/**
 * `task.cacheStatus()`: a stored task's cache story. A cached task names the task it reused;
 * one that ran is explained against the closest earlier task (cache-explainer.ts) with its
 * own run's params, code manifest and the step's deps.
 */
import { notReusedStatus, notRunStatus, reusedStatus, type CacheStatus } from '../graph/cache-status.js';
import { StoreCacheExplainer } from './cache-explainer.js';
import type { Task } from './task.js';

/** @internal See Task.cacheStatus. */
export async function taskCacheStatus(task: Task): Promise<CacheStatus> {
  await task.load();
  const rec = task.record;
  const { flow } = task.run;
  const step = task.step.name;
  if (!rec) return { ...notReusedStatus('ran', 'no-key', { step }), summary: 'running (why it was not reused is known once it finishes)' };
  if (rec.state === 'cached') {
    const from = rec.cachedFrom ? `${flow}/${rec.cachedFrom.runId}/${rec.cachedFrom.step}/${rec.cachedFrom.taskId}` : 'an earlier task';
    return reusedStatus(from, rec.reuse ?? 'cache');
  }
  if (!rec.keyParts || !rec.cacheKey) {
    if (rec.state === 'skipped') return notRunStatus(`skipped${rec.reason ? `: ${rec.reason}` : ''}`);
    if (rec.attempts === 0 && rec.state !== 'running') return notRunStatus(`${task.state} before it started${rec.reason ? `: ${rec.reason}` : ''}`);
    return notReusedStatus('ran', 'no-key', { step });
  }
  const explainer = new StoreCacheExplainer(await task.run.ctx.store(), flow);
  const [own, inputSources] = await Promise.all([
    explainer.runFacts(task.run.id),
    Object.keys(rec.keyParts.inputs).length ? inputSourcesOf(task) : {},
  ]);
  return explainer.explain({
    flow, step, taskId: task.id, runId: task.run.id, originRunId: task.run.originRunId, parts: rec.keyParts, cacheKey: rec.cacheKey,
    cloneKey: rec.cloneKey ?? '', command: rec.command ?? null, item: rec.item, params: task.run.params, code: own?.code,
    deps: own?.deps ? own.deps.get(step) ?? null : undefined, inputSources, skipped: rec.cacheSkipped, verb: 'ran',
  });
}

/**
 * Which upstream step each staged input path comes from (best effort, for messages): the
 * outputs of the steps this step and its enclosing groups need, as the run planned them.
 */
async function inputSourcesOf(task: Task): Promise<Record<string, string>> {
  const plan = await task.run.plan();
  if (!plan) return {};
  const byName = new Map(plan.map((s) => [s.step, s]));
  const needs: string[] = [];
  for (let s = byName.get(task.step.name); s; s = s.parent ? byName.get(s.parent) : undefined) needs.push(...s.needs);
  const out: Record<string, string> = {};
  for (const need of needs) {
    const planned = byName.get(need);
    if (!planned || planned.group) continue;
    const short = need.slice(need.lastIndexOf('.') + 1);
    const tasks = await task.run.step(need).tasks().catch(() => []);
    for (const t of tasks) {
      const prefix = planned.foreach ? `${short}/${t.itemIndices.at(-1)}/` : '';
      for (const o of t.outputs) out[prefix + o.path] ??= need;
    }
  }
  return out;
}
