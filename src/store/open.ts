/**
 * Which store a command uses, the one rule every command and the client API share:
 * `--datastore` (or the client's `datastore()`), else `FLOWCTL_DATASTORE`, else the nearest
 * `.flowctl/` above the working directory (like git finds `.git/`), else the nearest above the
 * flow's project root, else — only for `run` — a new `.flowctl/` in the working directory
 * (Metaflow's rule), so `flowctl run flows/train.yaml` then `flowctl show train` from the same
 * place find the same store.
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FlowctlError } from '../errors.js';
import { openFsPorts } from './fs-store.js';
import { readOnlyPorts } from './read-only.js';
import { Store } from './store.js';

export const STORE_DIR = '.flowctl';

export interface OpenStoreOptions {
  /** `--datastore`: a path (absolute or relative to cwd) or `s3://bucket/prefix`. */
  datastore?: string;
  cwd: string;
  /** The flow's project root: a store at or above it is found too. */
  projectRoot?: string;
  /** Create a store when none is found (`run`): the named path, or `.flowctl/` in cwd. Otherwise a missing store is STORE_NOT_FOUND. */
  create?: boolean;
  /**
   * Open without creating or writing anything (a dry run): with `create`, a store that does not
   * exist yet is the one `run` would create, and reads as empty; object checks repair nothing,
   * and a write throws (read-only.ts).
   */
  readOnly?: boolean;
  /** Defaults to process.env; read for FLOWCTL_DATASTORE and, for S3, the endpoint, credentials and cache settings. */
  env?: NodeJS.ProcessEnv;
}

/** The datastore asked for explicitly: the given one, else FLOWCTL_DATASTORE (the one place that reads it); undefined = search. */
export function datastoreSetting(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return explicit || env.FLOWCTL_DATASTORE || undefined;
}

/**
 * Where the store is by the rule above, without opening it: an explicit location as given, else
 * the `.flowctl/` directory found (or, with `create`, the one to make); undefined when none.
 */
export async function locateStore(opts: OpenStoreOptions): Promise<string | undefined> {
  const explicit = datastoreSetting(opts.datastore, opts.env ?? process.env);
  if (explicit) return explicit;
  const found = (await findStoreDir(opts.cwd)) ?? (opts.projectRoot ? await findStoreDir(opts.projectRoot) : undefined);
  return found ?? (opts.create ? join(resolve(opts.cwd), STORE_DIR) : undefined);
}

/**
 * @example const store = await openStore({ cwd: process.cwd(), projectRoot: spec.root, create: true })
 * @throws FlowctlError STORE_NOT_FOUND (exit 2) when no store is found and `create` is not set.
 */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const location = await locateStore(opts);
  if (location) {
    const store = await openLocation(location, opts.cwd, opts.env ?? process.env, opts.create ?? false, opts.readOnly ?? false);
    return opts.readOnly ? new Store(readOnlyPorts(store)) : store;
  }
  throw new FlowctlError('STORE_NOT_FOUND', `No ${STORE_DIR}/ directory in ${opts.cwd} or any parent directory`, {
    hint: 'Run this inside a flowctl project, or pass --datastore PATH (or set FLOWCTL_DATASTORE).',
  });
}

async function openLocation(location: string, cwd: string, env: NodeJS.ProcessEnv, create: boolean, readOnly: boolean): Promise<Store> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
    case 'file': {
      const dir = scheme ? resolve(cwd, decodeURIComponent(new URL(location).pathname)) : resolve(cwd, location);
      if (!create && !(await stat(dir).catch(() => undefined))?.isDirectory()) {
        throw new FlowctlError('STORE_NOT_FOUND', `No store at ${dir}`, {
          hint: 'Check --datastore / FLOWCTL_DATASTORE; a store is created by the first `flowctl run`.',
        });
      }
      return new Store(await openFsPorts(dir, { readOnly }));
    }
    case 's3': {
      // Loaded on demand: the AWS SDK costs start-up time every local-store command would pay.
      const { openS3Ports } = await import('./s3/open-s3.js');
      return new Store(await openS3Ports(location, env));
    }
    default:
      throw new FlowctlError('STORE_BAD_LOCATION', `Unsupported datastore ${location}`, {
        hint: 'Use a local path or s3://bucket/prefix.',
      });
  }
}

/** The nearest `.flowctl/` directory at or above dir. */
export async function findStoreDir(dir: string): Promise<string | undefined> {
  let cur = resolve(dir);
  for (;;) {
    const candidate = join(cur, STORE_DIR);
    if ((await stat(candidate).catch(() => undefined))?.isDirectory()) return candidate;
    const parent = dirname(cur);
    if (parent === cur) return undefined;
    cur = parent;
  }
}
