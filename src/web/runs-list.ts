/** Flows and runs lists for the UI, read with the client API (every namespace; the query filters). */
import { Flow, listFlows, type ClientContext, type Run } from '../client/index.js';
import { matchesRun } from './shared/run-filter.js';
import type { FlowRow, RunRow, RunsPage, RunsQuery } from './shared/types.js';

/** Runs a runs page returns at most by default. */
export const RUNS_LIMIT = 2000;

/** A run as a runs list shows it. */
export function runRow(run: Run): RunRow {
  const r = run.record;
  return {
    flow: run.flow, runId: run.id, state: run.state, status: run.status, user: run.user, namespace: run.namespace, tags: [...run.tags],
    params: run.params, startedAt: r.startedAt, finishedAt: r.finishedAt ?? null, durationMs: run.durationMs ?? null,
    originRunId: r.originRunId ?? null, taskCounts: r.taskCounts ?? {}, caughtFailures: r.caughtFailures ?? 0,
  };
}

/** Runs of a flow matching the query, most recent first, with facets over all of them. `all` must see every namespace. */
export async function listRuns(all: ClientContext, flow: string, query: RunsQuery, limit = RUNS_LIMIT): Promise<RunsPage> {
  const runs: RunRow[] = [];
  const namespaces = new Set<string>();
  const tags = new Set<string>();
  const params = new Set<string>();
  let total = 0;
  let matched = 0;
  for await (const run of new Flow(flow, all).iterRuns()) {
    total++;
    const row = runRow(run);
    namespaces.add(row.namespace);
    for (const t of row.tags) tags.add(t);
    for (const p of Object.keys(row.params)) params.add(p);
    if (!matchesRun(row, query)) continue;
    matched++;
    if (runs.length < limit) runs.push(row);
  }
  return { flow, runs, total, matched, truncated: matched > runs.length, namespaces: [...namespaces].sort(), tags: [...tags].sort(), paramNames: [...params] };
}

/** Every flow with its run count and its latest run in `namespace` (null: any). */
export async function listFlowRows(all: ClientContext, namespace: string | null): Promise<FlowRow[]> {
  const flows = await listFlows(all);
  return Promise.all(flows.map(async (f) => {
    const ids = await f.runIds();
    let latest: RunRow | null = null;
    for await (const run of f.iterRuns()) {
      if (namespace === null || run.namespace === namespace) {
        latest = runRow(run);
        break;
      }
    }
    return { flow: f.name, runs: ids.length, latest };
  }));
}
