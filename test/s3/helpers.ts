/** An S3 backend on a fresh prefix of a test s3rver, with its own cache dir. */
import { join } from 'node:path';
import { removeTree } from '../../src/store/fs-util.js';
import { openS3Ports, type S3Ports } from '../../src/store/s3/open-s3.js';
import { keys } from '../../src/store/records.js';
import { Store } from '../../src/store/store.js';
import { s3Env } from './s3rver.js';
import { tempDir } from '../helpers/tmp.js';

let n = 0;

export interface TestBackend {
  /** The store's two ports. */
  backend: S3Ports;
  /** A scratch dir for test files (on the cache's filesystem). */
  dir: string;
  cacheDir: string;
  env: Record<string, string>;
  /** Another backend on the same prefix with an empty cache: what a second machine sees. */
  fresh(): Promise<S3Ports>;
  cleanup(): Promise<void>;
}

export async function s3Backend(endpoint: string, opts: { bucket?: string; extraEnv?: Record<string, string> } = {}): Promise<TestBackend> {
  const dir = await tempDir('flowctl-s3test-');
  const cacheDir = join(dir, 'cache');
  const url = `s3://${opts.bucket ?? 'bucket'}/t${process.pid}-${n++}`;
  const env = { ...s3Env(endpoint, cacheDir), ...opts.extraEnv };
  const backend = await openS3Ports(url, env);
  let others = 0;
  return {
    backend,
    dir,
    cacheDir,
    env,
    fresh: () => openS3Ports(url, { ...env, FLOWCTL_CACHE_DIR: join(dir, `cache-${others++}`) }),
    cleanup: () => removeTree(dir),
  };
}

/**
 * Read back every record, log and artifact of a run through the Store API, each object
 * downloaded and verified against its hash (use a store with an empty cache). Returns the
 * output hashes by `step/task/path` so two runs can be compared.
 */
export async function verifyRun(store: Store, flow: string, runId: string): Promise<Record<string, string>> {
  const run = await store.readRun(flow, runId);
  if (!run) throw new Error(`no run record for ${runId}`);
  const hashes: Record<string, string> = {};
  for (const step of await store.listSteps(flow, runId)) {
    for (const taskId of await store.listTasks(flow, runId, step)) {
      const task = await store.readTask(flow, runId, step, taskId);
      if (!task) throw new Error(`no task record ${step}/${taskId}`);
      for (const out of task.outputs) {
        for (const f of await store.listOutputFiles(out)) {
          const bytes = await store.objects.getBytes(f.hash);
          if (bytes.length !== f.size) throw new Error(`${step}/${taskId}/${f.path}: ${bytes.length} bytes, record says ${f.size}`);
          hashes[`${step}/${taskId}/${f.path}`] = f.hash;
        }
      }
      for (const n of await store.listAttempts(flow, runId, step, taskId)) {
        if (!(await store.readAttempt(flow, runId, step, taskId, n))) throw new Error(`no attempt record ${step}/${taskId}/${n}`);
        if ((await store.kv.get(keys.attemptLog(flow, runId, step, taskId, n, 'stdout'))) === undefined) throw new Error(`no stdout for ${step}/${taskId}/${n}`);
      }
    }
  }
  return hashes;
}

/** A Store on an S3 datastore as a second machine sees it: its own, empty cache. */
export async function freshStore(url: string, endpoint: string, dir: string): Promise<Store> {
  return new Store(await openS3Ports(url, s3Env(endpoint, join(dir, `cache-${process.pid}-${n++}`))));
}
