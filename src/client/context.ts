/**
 * What every client object carries: which store to read and which namespace to honour.
 * Children (a Run's Steps, a Step's Tasks…) share their parent's context.
 */
import { resolve } from 'node:path';
import { datastoreSetting, openStore } from '../store/open.js';
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
}

export { STALE_AFTER_MS } from '../store/liveness.js';

const opened = new Map<string, Promise<Store>>();

export class ClientContext {
  readonly namespace: string | null;
  private readonly datastore?: string;
  private readonly cwd: string;
  private storePromise?: Promise<Store>;

  constructor(opts: ClientOptions = {}) {
    this.namespace = opts.namespace === undefined ? getNamespace() : opts.namespace;
    this.datastore = opts.datastore ?? getDatastore();
    this.cwd = opts.cwd ?? process.cwd();
    if (opts.store) this.storePromise = Promise.resolve(opts.store);
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
    return c;
  }
}
