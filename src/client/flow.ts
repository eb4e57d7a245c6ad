/** A flow: its runs, most recent first, in the current namespace. */
import { ClientContext, type ClientOptions } from './context.js';
import { notFound } from './errors.js';
import { Run } from './run.js';
import type { RunFilter } from './types.js';

export class Flow {
  readonly ctx: ClientContext;

  /**
   * A flow of the store (checked when first read). Options override `datastore()` / `namespace()`.
   * @example const run = await new Flow('train').latestSuccessfulRun();
   * @example new Flow('train', { datastore: '/data/.flowctl', namespace: null })
   */
  constructor(readonly name: string, opts?: ClientOptions | ClientContext) {
    this.ctx = ClientContext.from(opts);
  }

  get pathspec(): string {
    return this.name;
  }

  /** Whether the store has any run of this flow (in any namespace). */
  async exists(): Promise<boolean> {
    return (await (await this.ctx.store()).listFlows()).includes(this.name);
  }

  /**
   * Runs, most recent first, in the current namespace (all with `namespace(null)`).
   * @example await new Flow('train').runs({ status: 'failed', tag: 'nightly', limit: 5 })
   */
  async runs(filter: RunFilter = {}): Promise<Run[]> {
    const out: Run[] = [];
    const limit = filter.limit && filter.limit > 0 ? filter.limit : Infinity;
    for await (const run of Run.iterate(this.ctx, this.name, filter)) {
      out.push(run);
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Ids of every run of the flow (any namespace), most recent first, without reading their records: one listing. */
  async runIds(): Promise<string[]> {
    return (await (await this.ctx.store()).listRuns(this.name)).reverse();
  }

  /** Runs one at a time, most recent first, reading no more records than the loop consumes. */
  iterRuns(filter: Omit<RunFilter, 'limit'> = {}): AsyncGenerator<Run> {
    return Run.iterate(this.ctx, this.name, filter);
  }

  /** The most recent run (any state) matching filter; NOT_FOUND when there is none. @example (await new Flow('train').latestRun()).state */
  async latestRun(filter: Omit<RunFilter, 'limit'> = {}): Promise<Run> {
    for await (const run of Run.iterate(this.ctx, this.name, filter)) return run;
    const what = [filter.status && `status ${[filter.status].flat().join('|')}`, filter.tag && `tag ${[filter.tag].flat().join(', ')}`].filter(Boolean).join(' and ');
    throw notFound(`Flow ${this.name} has no runs${what ? ` with ${what}` : ''}${this.ctx.namespace === null ? '' : ` in namespace ${this.ctx.namespace}`}`,
      this.ctx.namespace === null ? undefined : `\`flowctl show ${this.name} --all-namespaces\` lists every namespace's runs (client API: namespace(null)).`);
  }

  /** The most recent successful run. */
  latestSuccessfulRun(): Promise<Run> {
    return this.latestRun({ status: 'succeeded' });
  }

  /** A run of this flow by id, or `latest`. @example await new Flow('train').run('20261126T132857.867Z-vx1m5x') */
  run(id: string): Promise<Run> {
    return Run.resolve(this.ctx, { flow: this.name, runId: id });
  }
}

/** Flows of the store that have runs (in any namespace), by name. @example (await listFlows()).map((f) => f.name) */
export async function listFlows(opts?: ClientOptions | ClientContext): Promise<Flow[]> {
  const ctx = ClientContext.from(opts);
  return (await (await ctx.store()).listFlows()).map((name) => new Flow(name, ctx));
}
