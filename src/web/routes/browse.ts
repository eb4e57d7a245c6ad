/** The JSON API that pages load: config, flows, runs, a run, a task, a comparison, and tagging (the one change the UI makes). */
import type { Hono } from 'hono';
import { producingTask, Run } from '../../client/index.js';
import { ExitCode, FlowctlError } from '../../errors.js';
import { compareRuns } from '../compare.js';
import { contentDisposition } from '../content-disposition.js';
import { buildReport } from '../report.js';
import { listFlowRows, listRuns, runRow } from '../runs-list.js';
import { searchToQuery } from '../shared/run-filter.js';
import type { TaskDetail, UiConfig } from '../shared/types.js';
import type { WebDeps } from './deps.js';
import { flowOf, runOf, taskIn } from './task-ref.js';

/** Runs a comparison takes at most. */
const COMPARE_MAX = 12;

/** GET /api/config, /api/flows, /api/flows/:flow/runs, /api/runs/:flow/:runId[/report|/steps/:step/tasks/:taskId], /api/compare; POST …/tags. */
export function browseRoutes(app: Hono, deps: WebDeps): void {
  const { all, cache } = deps;

  app.get('/api/config', async (c) => {
    const config: UiConfig = { namespace: deps.namespace, datastore: (await all.store()).location, version: deps.version };
    return c.json(config);
  });

  app.get('/api/flows', async (c) => {
    const ns = c.req.query('namespace');
    return c.json(await listFlowRows(all, ns === undefined ? deps.namespace : ns || null));
  });

  app.get('/api/flows/:flow/runs', async (c) => {
    const flow = flowOf(all, c.req.param('flow')).name;
    const query = searchToQuery(new URL(c.req.url).searchParams);
    const limit = Number(c.req.query('limit') ?? '') || undefined;
    return c.json(await listRuns(all, flow, query, limit));
  });

  app.get('/api/runs/:flow/:runId', async (c) => {
    const run = await runOf(all, c.req.param('flow'), c.req.param('runId'));
    return c.json(await cache.get(run));
  });

  app.get('/api/runs/:flow/:runId/steps/:step/tasks/:taskId', async (c) => {
    const run = await runOf(all, c.req.param('flow'), c.req.param('runId'));
    const task = await taskIn(run, c.req.param('step'), c.req.param('taskId'));
    const attempts = (await task.attempts()).map((a) => a.toJSON());
    let logsOf: TaskDetail['logsOf'] = null;
    if (attempts.length === 0 && task.cachedFrom) {
      const ran = await producingTask(task).catch(() => undefined);
      if (ran && ran !== task) {
        logsOf = { pathspec: ran.pathspec, flow: ran.run.flow, runId: ran.run.id, step: ran.step.name, taskId: ran.id, attempts: (await ran.attempts()).map((a) => a.toJSON()) };
      }
    }
    const [artifacts, cache] = await Promise.all([Promise.all((await task.artifacts()).map((a) => a.info())), task.cacheStatus()]);
    const detail: TaskDetail = { task: task.toJSON(), attempts, logsOf, artifacts, cache };
    return c.json(detail);
  });

  app.get('/api/runs/:flow/:runId/report', async (c) => {
    const run = await runOf(all, c.req.param('flow'), c.req.param('runId'));
    const html = await buildReport(run, { appDir: deps.appDir, version: deps.version });
    return c.body(html, 200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Disposition': contentDisposition('attachment', `${run.flow}-${run.id}.html`) });
  });

  app.get('/api/compare', async (c) => {
    const refs = (c.req.query('runs') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (refs.length < 2 || refs.length > COMPARE_MAX) {
      throw new FlowctlError('USAGE', `Compare takes 2 to ${COMPARE_MAX} runs as runs=FLOW/RUN_ID,FLOW/RUN_ID; got ${refs.length}`, { exitCode: ExitCode.Usage });
    }
    const runs = await Promise.all(refs.map((r) => Run.get(r, all)));
    return c.json(await compareRuns(runs, cache));
  });

  app.post('/api/runs/:flow/:runId/tags', async (c) => {
    const body = (await c.req.json().catch(() => undefined)) as { add?: unknown; remove?: unknown } | undefined;
    const list = (v: unknown, what: string): string[] => {
      if (v === undefined) return [];
      if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) throw new FlowctlError('USAGE', `"${what}" must be a list of tags`, { exitCode: ExitCode.Usage });
      return v;
    };
    if (!body || typeof body !== 'object') throw new FlowctlError('USAGE', 'Send {"add": [tags], "remove": [tags]}', { exitCode: ExitCode.Usage });
    const add = list(body.add, 'add');
    const remove = list(body.remove, 'remove');
    let run = await runOf(all, c.req.param('flow'), c.req.param('runId'));
    if (add.length) run = await run.addTags(...add);
    if (remove.length) run = await run.removeTags(...remove);
    return c.json(runRow(run));
  });
}
