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
  /** Defaults to process.env; read for FLOWCTL_DATASTORE and, for S3, the endpoint, credentials and cache settings. */
  env?: NodeJS.ProcessEnv;
}

/** Example: `const store = await openStore({ cwd: process.cwd(), projectRoot: dirname(flowFile) })`. */
export async function openStore(opts: OpenStoreOptions): Promise<Store> {
  const env = opts.env ?? process.env;
  const location = opts.datastore || env.FLOWCTL_DATASTORE;
  if (location) return openLocation(location, opts.cwd, env);
  const found = await findStoreDir(opts.cwd);
  if (found) return new Store(await new FsBackend(found).init());
  if (opts.projectRoot) return new Store(await new FsBackend(join(resolve(opts.cwd, opts.projectRoot), STORE_DIR)).init());
  throw new FlowctlError('STORE_NOT_FOUND', `No ${STORE_DIR}/ directory in ${opts.cwd} or any parent directory`, {
    hint: 'Run this inside a flowctl project, or pass --datastore PATH (or set FLOWCTL_DATASTORE).',
  });
}

async function openLocation(location: string, cwd: string, env: NodeJS.ProcessEnv): Promise<Store> {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(location)?.[1]?.toLowerCase();
  switch (scheme) {
    case undefined:
      return new Store(await new FsBackend(resolve(cwd, location)).init());
    case 'file':
      return new Store(await new FsBackend(resolve(cwd, decodeURIComponent(new URL(location).pathname))).init());
    case 's3': {
      // Loaded on demand: the AWS SDK costs start-up time every local-store command would pay.
      const { openS3Backend } = await import('./s3/open-s3.js');
      return new Store(await openS3Backend(location, env));
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
