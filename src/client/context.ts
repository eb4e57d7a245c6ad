/**
 * What every client object carries: which store to read and which namespace to honour.
 * Children (a Run's Steps, a Step's Tasks…) share their parent's context.
 */
import { resolve } from 'node:path';
import { datastoreSetting, openStore } from '../store/open.js';
import type { RunRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import { getDatastore, getNamespace } from './config.js';

export interface ClientOptions {
  /** A path or `s3://bucket/prefix`; default `datastore()`, then FLOWCTL_DATASTORE, then the nearest `.flowctl/` above cwd. */
  datastore?: string;
  /** Where the search for `.flowctl/` starts (default: the working directory). */
  cwd?: string;
  /** The namespace to honour, or `null` for all; default `getNamespace()` at construction. */
  namespace?: string | null;
  /** An already open store (overrides datastore/cwd). */
  store?: Store;
  /**
   * Keep the records of finished runs in memory (they no longer change; tags, kept apart, are
   * still read each time): for long-lived readers such as `flowctl ui`. Default false.
   */
  cacheFinishedRuns?: boolean;
}

export { STALE_AFTER_MS } from '../store/liveness.js';

/** Finished runs' records a caching context keeps at most (oldest first out). */
const CACHED_RUNS = 20_000;

const opened = new Map<string, Promise<Store>>();

export class ClientContext {
  readonly namespace: string | null;
  private readonly datastore?: string;
  private readonly cwd: string;
  private storePromise?: Promise<Store>;
  private finishedRuns?: Map<string, RunRecord>;

  constructor(opts: ClientOptions = {}) {
    this.namespace = opts.namespace === undefined ? getNamespace() : opts.namespace;
    this.datastore = opts.datastore ?? getDatastore();
    this.cwd = opts.cwd ?? process.cwd();
    if (opts.store) this.storePromise = Promise.resolve(opts.store);
    if (opts.cacheFinishedRuns) this.finishedRuns = new Map();
  }

  /** @internal A finished run's record kept by a caching context. */
  cachedRun(flow: string, runId: string): RunRecord | undefined {
    return this.finishedRuns?.get(`${flow}/${runId}`);
  }

  /** @internal Keep a record if this context caches and the run has finished. */
  rememberRun(rec: RunRecord): void {
    if (!this.finishedRuns || rec.state === 'running') return;
    this.finishedRuns.set(`${rec.flow}/${rec.runId}`, rec);
    if (this.finishedRuns.size > CACHED_RUNS) this.finishedRuns.delete(this.finishedRuns.keys().next().value!);
  }

  static from(opts?: ClientOptions | ClientContext): ClientContext {
    return opts instanceof ClientContext ? opts : new ClientContext(opts);
  }

  /** The store, opened once per (datastore, cwd). Never creates a store that is not there. */
  store(): Promise<Store> {
    if (!this.storePromise) {
      const location = datastoreSetting(this.datastore);
      const key = `${location ?? ''}\0${location ? this.cwd : resolve(this.cwd)}`;
      let p = opened.get(key);
      if (!p) {
        p = openStore({ datastore: location, cwd: this.cwd });
        opened.set(key, p);
        p.catch(() => opened.delete(key));
      }
      this.storePromise = p;
    }
    return this.storePromise;
  }

  /** Whether a run recorded in namespace `ns` is visible here. */
  sees(ns: string): boolean {
    return this.namespace === null || this.namespace === ns;
  }

  /** The same store with another namespace. */
  withNamespace(ns: string | null): ClientContext {
    const c = new ClientContext({ namespace: ns, datastore: this.datastore, cwd: this.cwd });
    c.storePromise = this.storePromise;
    c.finishedRuns = this.finishedRuns;
    return c;
  }
}
