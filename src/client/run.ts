/**
 * A run of a flow: its record (run.json, its tags merged with the tags file), its steps, and
 * its tags. A run whose run.json or tags file cannot be read is `damaged`: listings yield it
 * (with `error` naming the file) and asking for that run by name throws the damage.
 */
import { ExitCode, FlowctlError } from '../errors.js';
import { isDamagedRecord, type DamagedRecordError } from '../store/record-check.js';
import type { RunRecord, RunState } from '../store/records.js';
import type { Store } from '../store/store.js';
import { STALE_AFTER_MS } from '../store/liveness.js';
import { ClientContext, type ClientOptions } from './context.js';
import { editDistance, nearby, notFound } from './errors.js';
import { LATEST, parsePathspec, type RunRef } from './pathspec.js';
import { readRunEvents, type EventsPage, type EventsReadOptions } from './events.js';
import { leafSteps, plannedGraph, type PlannedStepJson } from './plan.js';
import { Step } from './step.js';
import { readStepEndings, type StepEndings } from './step-endings.js';
import { checkTags, editTags, mergeTags } from './tags.js';
import type { Damaged, RunFilter, RunJson, RunStatus } from './types.js';

const BATCH = 128;

export class Run {
  /**
   * run.json as stored (its `tags` are the ones given at start; see `tags`). For a run whose
   * run.json cannot be read, a placeholder: only `flow` and `runId` are meaningful.
   */
  readonly record: RunRecord;
  /** Effective tags: run.json's merged with tags added or removed later. */
  readonly tags: readonly string[];
  /** Set when the run's run.json or tags file cannot be read: `key` names the file, `reason` what is wrong. */
  readonly damage?: DamagedRecordError;
  private stepNamesCache?: Promise<string[]>;
  private planCache?: Promise<PlannedStepJson[] | undefined>;
  private endingsCache?: Promise<StepEndings>;

  /** Use `Run.get()`, `flow.runs()` or `flow.latestRun()`. */
  constructor(readonly ctx: ClientContext, record: RunRecord, tags: readonly string[], private readonly loadedAt = Date.now(), damage?: DamagedRecordError) {
    this.record = record;
    this.tags = tags;
    this.damage = damage;
  }

  /**
   * A run by `RUN_ID`, `FLOW/RUN_ID`, `FLOW/latest` or `FLOW/latest~N` (the Nth before the latest), honouring the namespace.
   * @example const run = await Run.get('train/latest'); console.log(run.state, run.params);
   */
  static async get(ref: string, opts?: ClientOptions | ClientContext): Promise<Run> {
    const p = parsePathspec(ref);
    if (p.kind !== 'run') throw new FlowctlError('BAD_PATHSPEC', `${JSON.stringify(ref)} is not a run: use RUN_ID, FLOW/RUN_ID or FLOW/latest`, { exitCode: ExitCode.Usage });
    return Run.resolve(ClientContext.from(opts), p.run);
  }

  /** @internal The run a parsed reference names. */
  static async resolve(ctx: ClientContext, ref: RunRef): Promise<Run> {
    const store = await ctx.store();
    const latest = ref.flow ? LATEST.exec(ref.runId) : null;
    if (ref.flow && latest) {
      let back = Number(latest[1] ?? 0);
      for await (const run of Run.iterate(ctx, ref.flow, {})) {
        if (back-- > 0) continue;
        if (run.damage) throw run.damage;
        return run;
      }
      const ns = ctx.namespace === null ? '' : ` in namespace ${ctx.namespace}`;
      throw notFound(latest[1] === undefined ? `Flow ${ref.flow} has no runs${ns}` : `Flow ${ref.flow} has fewer than ${Number(latest[1]) + 1} runs${ns}, so no ${ref.flow}/${ref.runId}`,
        ctx.namespace === null ? undefined : `\`flowctl show ${ref.flow} --all-namespaces\` lists the runs of every namespace.`);
    }
    let flow = ref.flow;
    let run = flow ? await Run.load(ctx, store, flow, ref.runId) : undefined;
    if (!flow) {
      flow = (await store.findRun(ref.runId))?.flow;
      if (flow) run = await Run.load(ctx, store, flow, ref.runId);
    }
    if (!run || !flow) throw await unknownRun(store, ref);
    if (run.damage) throw run.damage;
    if (!ctx.sees(run.namespace)) {
      throw new FlowctlError('NAMESPACE_MISMATCH', `Run ${run.pathspec} is in namespace ${run.namespace}, not in the current namespace ${ctx.namespace}`, {
        exitCode: ExitCode.Usage,
        hint: `Pass --namespace ${run.namespace} or --all-namespaces (client API: namespace(null)).`,
      });
    }
    return run;
  }

  /**
   * @internal Load run.json and its tags file; undefined when the run has no record (yet), a
   * damaged Run when either cannot be read. `tagged: false` skips the tags read.
   */
  static async load(ctx: ClientContext, store: Store, flow: string, runId: string, tagged = true): Promise<Run | undefined> {
    const cached = ctx.cachedRun(flow, runId);
    const [record, tagsFile] = await Promise.allSettled([cached ?? store.readRun(flow, runId), tagged ? store.readTagEdits(flow, runId) : undefined]);
    const damage = [record, tagsFile].map((r) => (r.status === 'rejected' ? r.reason : undefined)).find((e) => e !== undefined);
    if (damage !== undefined && !isDamagedRecord(damage)) throw damage;
    const rec = record.status === 'fulfilled' ? record.value : undefined;
    if (rec && !cached) ctx.rememberRun(rec);
    if (!rec) return damage ? new Run(ctx, placeholder(flow, runId), [], Date.now(), damage) : undefined;
    return new Run(ctx, rec, mergeTags(rec.tags ?? [], tagsFile.status === 'fulfilled' ? tagsFile.value : undefined), Date.now(), damage);
  }

  /** @internal A flow's runs, most recent first, in the context's namespace and matching filter. */
  static async *iterate(ctx: ClientContext, flow: string, filter: RunFilter): AsyncGenerator<Run> {
    const store = await ctx.store();
    const ids = await store.listRuns(flow);
    if (ids.length === 0 && !(await store.listFlows()).includes(flow)) {
      const flows = await store.listFlows();
      throw notFound(`No flow '${flow}' in store ${store.location}${nearby('flows', flows, flow)}`);
    }
    const match = runMatcher(ctx, filter);
    const tagged = await store.runsWithTagEdits(flow);
    for (let end = ids.length; end > 0; end -= BATCH) {
      const batch = ids.slice(Math.max(0, end - BATCH), end).reverse();
      const runs = await Promise.all(batch.map((id) => Run.load(ctx, store, flow, id, tagged.has(id))));
      for (const run of runs) if (run && match(run)) yield run;
    }
  }

  get id(): string { return this.record.runId; }
  get flow(): string { return this.record.flow; }
  /** `train/20261126T132857.867Z-vx1m5x` */
  get pathspec(): string { return `${this.flow}/${this.id}`; }
  /** The recorded state, or `damaged` when a record of the run cannot be read (see `damage`). */
  get state(): RunState | Damaged { return this.damage ? 'damaged' : this.record.state; }
  get user(): string { return this.record.user; }
  get namespace(): string { return this.record.namespace; }
  /** Param values; secret params read `***`. */
  get params(): Record<string, unknown> { return this.record.params; }
  get codeHash(): string { return this.record.codeHash; }
  get originRunId(): string | undefined { return this.record.originRunId; }
  get startedAt(): Date { return new Date(this.record.startedAt); }
  get finishedAt(): Date | undefined { return this.record.finishedAt ? new Date(this.record.finishedAt) : undefined; }
  get finished(): boolean { return this.state !== 'running'; }
  get successful(): boolean { return this.state === 'succeeded'; }
  /** Says running, but no heartbeat for 30 s: the process probably died (kill -9, lost machine). */
  get stale(): boolean { return this.state === 'running' && this.loadedAt - Date.parse(this.record.heartbeatAt) > STALE_AFTER_MS; }
  /** `dead` for a stale run, else the state. */
  get status(): RunStatus { return this.stale ? 'dead' : this.state; }
  get durationMs(): number | undefined {
    return this.record.finishedAt ? Date.parse(this.record.finishedAt) - Date.parse(this.record.startedAt) : undefined;
  }

  /** A step by name (checked when first read). @example await run.step('fit').tasks() */
  step(name: string): Step {
    return new Step(this, name);
  }

  /** The run's steps in flow order (group steps by their qualified name, e.g. `per_fold.fit`). */
  async steps(): Promise<Step[]> {
    return (await this.stepNames()).map((n) => new Step(this, n));
  }

  /** @internal Planned steps in flow order, plus any found in the store but not in the plan. */
  stepNames(): Promise<string[]> {
    this.stepNamesCache ??= (async () => {
      const store = await this.ctx.store();
      const [planned, stored] = await Promise.all([this.plan(), store.listSteps(this.flow, this.id)]);
      const names = planned ? leafSteps(planned) : [];
      return [...names, ...stored.filter((s) => !names.includes(s))];
    })();
    return this.stepNamesCache;
  }

  /** @internal The DAG the run planned (from its `run-started` event), groups included; undefined when not recorded. */
  plan(): Promise<PlannedStepJson[] | undefined> {
    this.planCache ??= this.ctx.store().then((store) => plannedGraph(store, this.flow, this.id));
    return this.planCache;
  }

  /** @internal How steps ended, from the events (read once, and only for a step that has no task). */
  stepEndings(): Promise<StepEndings> {
    this.endingsCache ??= readStepEndings(this);
    return this.endingsCache;
  }

  /** @internal NOT_FOUND naming the run's steps unless `name` is one. */
  async requireStep(name: string): Promise<void> {
    const names = await this.stepNames();
    if (names.includes(name)) return;
    const inGroup = names.filter((n) => n.startsWith(`${name}.`));
    if (inGroup.length) throw notFound(`Run ${this.pathspec} has no step '${name}': it is a group of steps ${inGroup.join(', ')}`, `Give one of them, e.g. ${this.pathspec}/${inGroup[0]}.`);
    throw notFound(`Run ${this.pathspec} has no step '${name}'${nearby('steps', names, name)}`);
  }

  /**
   * The planned steps and groups with their `needs`, in flow order (from the run's first event);
   * empty when the run recorded no plan.
   * @example for (const s of await run.graph()) console.log(s.step, '<-', s.needs.join(', '));
   */
  async graph(): Promise<PlannedStepJson[]> {
    return (await this.plan()) ?? [];
  }

  /**
   * The run's events (README: "NDJSON event schema") from a byte offset, a bounded slice at a
   * time; pass `next` back as `from` to read only what was appended since.
   * @example let from = 0; for (;;) { const p = await run.events({ from, logs: false }); from = p.next; … }
   */
  async events(opts: EventsReadOptions = {}): Promise<EventsPage> {
    return readRunEvents(await this.ctx.store(), this.flow, this.id, opts);
  }

  /** The run this one resumed, if any (in any namespace). */
  async origin(): Promise<Run | undefined> {
    return this.originRunId ? Run.resolve(this.ctx.withNamespace(null), { flow: this.flow, runId: this.originRunId }) : undefined;
  }

  /** Add tags (kept in flows/<flow>/tags/<run-id>.json, safe while the run is alive); returns the run with its new tags. @example await run.addTags('best') */
  async addTags(...tags: string[]): Promise<Run> {
    checkTags(tags);
    return this.withTags(await editTags(await this.ctx.store(), this.record, { add: tags }));
  }

  /** Remove tags, including ones given at `flowctl run --tag`; returns the run with its new tags. */
  async removeTags(...tags: string[]): Promise<Run> {
    checkTags(tags);
    return this.withTags(await editTags(await this.ctx.store(), this.record, { remove: tags }));
  }

  /** Read the run's record again (a live run's state and heartbeat change). */
  async refresh(): Promise<Run> {
    return (await Run.load(this.ctx, await this.ctx.store(), this.flow, this.id)) ?? this;
  }

  /** Whether run.json itself could not be read (its fields are unknown), not only the tags file. */
  get recordUnknown(): boolean {
    return PLACEHOLDERS.has(this.record);
  }

  toJSON(): RunJson {
    const r = this.record;
    if (this.recordUnknown) {
      return {
        pathspec: this.pathspec, flow: r.flow, runId: r.runId, state: 'damaged', stale: false, user: null, namespace: null, tags: [],
        originRunId: null, resumedFrom: null, startedAt: null, finishedAt: null, durationMs: null, heartbeatAt: null, params: {}, secretParams: [],
        codeHash: null, specHash: null, flowFile: null, host: null, pid: null, taskCounts: {}, caughtFailures: 0, error: this.damage!.message,
      };
    }
    return {
      pathspec: this.pathspec, flow: r.flow, runId: r.runId, state: this.state, stale: this.stale, user: r.user, namespace: r.namespace,
      tags: [...this.tags], originRunId: r.originRunId ?? null, resumedFrom: r.resumedFrom ?? null, startedAt: r.startedAt, finishedAt: r.finishedAt ?? null,
      durationMs: this.durationMs ?? null, heartbeatAt: r.heartbeatAt, params: r.params, secretParams: r.secretParams ?? [],
      codeHash: r.codeHash, specHash: r.specHash ?? null, flowFile: r.flowFile, host: r.host ?? null, pid: r.pid ?? null, taskCounts: r.taskCounts ?? {},
      caughtFailures: r.caughtFailures ?? 0, error: this.damage?.message ?? r.error ?? null,
    };
  }

  private withTags(tags: string[]): Run {
    return new Run(this.ctx, this.record, tags, this.loadedAt, this.damage);
  }
}

const PLACEHOLDERS = new WeakSet<RunRecord>();

/** What stands in for a run.json that cannot be read: the run's identity, nothing else. */
function placeholder(flow: string, runId: string): RunRecord {
  const rec: RunRecord = {
    formatVersion: 1, flow, runId, state: 'failed', params: {}, secretParams: [], codeHash: '', specHash: '', flowFile: '', user: '', namespace: '',
    tags: [], startedAt: '', heartbeatAt: '', pid: 0, host: '',
  };
  PLACEHOLDERS.add(rec);
  return rec;
}

function runMatcher(ctx: ClientContext, filter: RunFilter): (run: Run) => boolean {
  const statuses = filter.status === undefined ? undefined : new Set<RunStatus>(typeof filter.status === 'string' ? [filter.status] : filter.status);
  const tags = filter.tag === undefined ? [] : typeof filter.tag === 'string' ? [filter.tag] : [...filter.tag];
  // A run whose run.json cannot be read has no known namespace: it is listed in every one, so the damage is seen.
  return (run) => (run.recordUnknown || ctx.sees(run.namespace)) && (!statuses || statuses.has(run.status)) && tags.every((t) => run.tags.includes(t));
}

async function unknownRun(store: Store, ref: RunRef): Promise<FlowctlError> {
  if (ref.flow) {
    const flows = await store.listFlows();
    if (!flows.includes(ref.flow)) return notFound(`No flow '${ref.flow}' in store ${store.location}${nearby('flows', flows, ref.flow)}`);
    const elsewhere = await store.findRun(ref.runId);
    if (elsewhere) return notFound(`Flow ${ref.flow} has no run ${ref.runId}: it is a run of flow ${elsewhere.flow}`, `Use ${elsewhere.flow}/${ref.runId}, or the run id alone.`);
  }
  const ids = await store.listRunIds();
  const prefixed = ids.filter((id) => id.startsWith(ref.runId));
  const guess = prefixed.length === 1 ? prefixed[0] : ids.find((id) => editDistance(ref.runId, id, 2) <= 2);
  return notFound(`No run '${ref.runId}'${ref.flow ? ` in flow ${ref.flow}` : ''} in store ${store.location}${guess ? ` (did you mean '${guess}'?)` : ''}`,
    ref.flow ? `\`flowctl show ${ref.flow}\` lists its runs.` : '`flowctl show FLOW` lists a flow\'s runs; `flowctl show` lists flows.');
}
