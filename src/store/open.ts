/**
 * Which store a command uses: `--datastore` / `FLOWCTL_DATASTORE` when given, else the
 * nearest `.flowctl/` above the working directory (like git finds `.git/`), else a new
 * `.flowctl/` in the flow's project root.
 */
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { FlowctlError } from '../errors.js';
import { FsBackend } from './fs-backend.js';
import { Store } from './store.js';

export const STORE_DIR = '.flowctl';

export interface OpenStoreOptions {
  /** `--datastore`: a path (absolute or relative to cwd) or `s3://bucket/prefix`. */
  datastore?: string;
  cwd: string;
  /** The flow's project root: where a new store is created when none is found. */
  projectRoot?: string;
  /** Defaults to process.env; read for FLOWCTL_DATASTORE. */
  env?: NodeJS.ProcessEnv;
}

/** Example: `const store = await openStore({ cwd: process.cwd(), projectRoot: dirname(flowFile) })`. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const env = opts.env ?? process.env;
  const location = opts.datastore || env.FLOWCTL_DATASTORE;
  if (location) return openLocation(location, opts.cwd);
  const found = await findStoreDir(opts.cwd);
  if (found) return new Store(await new FsBackend(found).init());
  if (opts.projectRoot) return new Store(await new FsBackend(join(resolve(opts.cwd, opts.projectRoot), STORE_DIR)).init());
  throw new FlowctlError('STORE_NOT_FOUND', `No ${STORE_DIR}/ directory in ${opts.cwd} or any parent directory`, {
    hint: 'Run this inside a flowctl project, or pass --datastore PATH (or set FLOWCTL_DATASTORE).',
  });
}

async function openLocation(location: string, cwd: string): Promise<Store> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return new Store(await new FsBackend(resolve(cwd, location)).init());
    case 'file':
      return new Store(await new FsBackend(resolve(cwd, decodeURIComponent(new URL(location).pathname))).init());
    case 's3':
      // The switch point for the S3 backend (same StoreBackend port, FLOWCTL_S3_ENDPOINT).
      throw new FlowctlError('S3_NOT_YET', 'S3 datastores come in a later release', {
        hint: `Use a local path for --datastore (got ${location}).`,
      });
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
