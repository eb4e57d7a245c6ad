/**
 * Process-wide client settings, like Metaflow's `namespace()`: the namespace and datastore
 * that new `Flow`s and `Run.get()` use when their options do not say otherwise.
 */
import { currentUser } from '../store/identity.js';

export { currentUser };

let currentNamespace: string | null | undefined;
let currentDatastore: string | undefined;

/** `user:<you>`: where `flowctl run` records runs unless told `--namespace`/`--production`. */
export function defaultNamespace(): string {
  return `user:${currentUser()}`;
}

/**
 * Switch the namespace that listings and lookups honour; `null` means every namespace.
 * @example namespace('production'); const run = await new Flow('train').latestRun();
 * @example namespace(null) // see everyone's runs
 */
export function namespace(ns: string | null): string | null {
  currentNamespace = ns;
  return ns;
}

/** The namespace in effect: what `namespace()` set, else `user:<you>`; `null` means all. */
export function getNamespace(): string | null {
  return currentNamespace === undefined ? defaultNamespace() : currentNamespace;
}

/**
 * Point the client at a store: a path or `s3://bucket/prefix`; `null` goes back to the default
 * (FLOWCTL_DATASTORE, else the nearest `.flowctl/` above the working directory).
 * @example datastore('/data/team/.flowctl')
 */
export function datastore(location: string | null): string | undefined {
  currentDatastore = location ?? undefined;
  return currentDatastore;
}

/** The datastore set with `datastore()`, if any. */
export function getDatastore(): string | undefined {
  return currentDatastore;
}
