/** 2–N runs side by side: params, values, outputs that changed, step durations. */
import type { Run } from '../client/index.js';
import { mapLimit } from './limit.js';
import type { SnapshotCache } from './snapshot-cache.js';
import type { CompareView, RunSnapshot } from './shared/types.js';

/** Rows per section at most (values, outputs): a comparison of huge fan-outs stays readable. */
export const COMPARE_LIMIT = 2000;

/** The comparison of `runs` (in that order), from their snapshots and task records. */
export async function compareRuns(runs: Run[], cache: SnapshotCache): Promise<CompareView> {
  const snaps = await Promise.all(runs.map((r) => cache.get(r)));
  const outputs = await Promise.all(runs.map(outputsOf));
  let truncated = false;

  const paramNames = union(snaps.map((s) => Object.keys(s.run.params)));
  const params = paramNames.map((name) => {
    const values = snaps.map((s) => (name in s.run.params ? s.run.params[name] : null));
    return { name, values, differs: differs(values) };
  });

  const valueMaps = snaps.map(valuesOf);
  let valueKeys = union(valueMaps.map((m) => [...m.keys()]));
  if (valueKeys.length > COMPARE_LIMIT) [valueKeys, truncated] = [valueKeys.slice(0, COMPARE_LIMIT), true];
  const values = valueKeys.map((key) => {
    const vs = valueMaps.map((m) => (m.has(key) ? m.get(key) : null));
    const present = vs.filter((v) => v !== null);
    return { key, values: vs, differs: differs(vs), numeric: present.length > 0 && present.every((v) => typeof v === 'number' && Number.isFinite(v)) };
  });

  const outKeys = union(outputs.map((m) => [...m.keys()]));
  const changed = outKeys.map((key) => ({ key, entries: outputs.map((m) => m.get(key) ?? null) }))
    .filter(({ entries }) => differs(entries.map((e) => e?.sha256 ?? null)));
  if (changed.length > COMPARE_LIMIT) truncated = true;
  const outs = changed.slice(0, COMPARE_LIMIT).map(({ key, entries }) => ({ key, sha256: entries.map((e) => e?.sha256 ?? null), sizes: entries.map((e) => e?.size ?? null) }));

  const stepNames = union(snaps.map((s) => s.steps.filter((v) => !v.group).map((v) => v.step)));
  const durations = stepNames.map((step) => ({ step, values: snaps.map((s) => s.steps.find((v) => v.step === step)?.durationMs ?? null) }));

  return { runs: snaps.map((s) => s.run), params, values, outputs: outs, durations, truncated };
}

/** `step.name` for a single-task step, `step/taskId.name` in a fan-out. */
function valuesOf(s: RunSnapshot): Map<string, unknown> {
  const m = new Map<string, unknown>();
  for (const row of s.values) {
    const single = (s.tasks[row.step]?.length ?? 0) <= 1 && row.taskId === '0';
    for (const [k, v] of Object.entries(row.values)) m.set(single ? `${row.step}.${k}` : `${row.step}/${row.taskId}.${k}`, v);
  }
  return m;
}

async function outputsOf(run: Run): Promise<Map<string, { sha256: string; size: number }>> {
  const m = new Map<string, { sha256: string; size: number }>();
  const steps = await run.steps();
  const all = await mapLimit(steps, 4, (s) => s.tasks());
  for (const tasks of all) {
    for (const t of tasks) for (const o of t.outputs) m.set(`${t.step.name}/${t.id}/${o.path}`, { sha256: o.hash, size: o.size });
  }
  return m;
}

function union(lists: string[][]): string[] {
  const seen = new Set<string>();
  for (const l of lists) for (const x of l) seen.add(x);
  return [...seen];
}

function differs(values: unknown[]): boolean {
  const first = JSON.stringify(values[0] ?? null);
  return values.some((v) => JSON.stringify(v ?? null) !== first);
}
