/**
 * Starts the fake AWS Batch endpoint (fake-batch-main.mjs) in a child process and talks to its
 * admin endpoints: the calls it received, and faults to inject (throttling, host loss, OOM,
 * image pull failures).
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { BIN } from '../helpers/cli.js';

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 'fake-batch-main.mjs');

export interface FakeCall {
  op: 'RegisterJobDefinition' | 'DescribeJobDefinitions' | 'SubmitJob' | 'DescribeJobs' | 'TerminateJob';
  time: number;
  status: number;
  body: any;
}

export interface Faults {
  /** Answer the next N calls of an operation with 429 TooManyRequestsException. */
  throttle?: Partial<Record<FakeCall['op'], number>>;
  /** Lose the host of matching jobs once they run (`times` jobs; by child index and/or a part of the job name). */
  hostLoss?: Array<{ index?: number; jobName?: string; times?: number; afterMs?: number }>;
  oom?: Array<{ index?: number; jobName?: string; times?: number; afterMs?: number }>;
  pullFail?: string[];
}

export interface FakeBatch {
  endpoint: string;
  /** Environment for a flowctl that should use this endpoint. */
  env: Record<string, string>;
  calls(op?: FakeCall['op']): Promise<FakeCall[]>;
  jobs(): Promise<any[]>;
  faults(f: Faults): Promise<void>;
  resetCalls(): Promise<void>;
  stop(): Promise<void>;
}

export interface FakeOptions {
  /** Time each state (SUBMITTED, RUNNABLE, STARTING) lasts, ms. */
  stateMs?: number;
  /** Jobs running at once (a compute environment's size). */
  slots?: number;
  /** Values of the Secrets Manager / SSM ARNs jobs may name. */
  secrets?: Record<string, string>;
  /** Run `flowctl task` in the fake's process (dist/ of this repo): no Node start per job. */
  inprocess?: boolean;
  /** Environment of the jobs (S3 endpoint and credentials: what the job role would give). */
  env?: Record<string, string>;
}

export async function startFakeBatch(o: FakeOptions = {}): Promise<FakeBatch> {
  const config = {
    stateMs: o.stateMs ?? 50, slots: o.slots, flowctlBin: BIN, secrets: o.secrets ?? {},
    ...(o.inprocess ? { inprocess: { dist: join(dirname(BIN), '..', 'dist') } } : {}),
  };
  const child = spawn(process.execPath, [MAIN, JSON.stringify(config)], {
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, ...o.env },
  });
  child.channel?.unref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake batch exited with ${code} before listening`)));
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const admin = async (path: string, body?: unknown) => {
    const res = await fetch(`${endpoint}${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) });
    return res.json() as Promise<any>;
  };
  return {
    endpoint,
    env: { AWS_ENDPOINT_URL_BATCH: endpoint, AWS_REGION: 'us-east-1' },
    calls: async (op) => ((await admin('/admin/calls')).calls as FakeCall[]).filter((c) => !op || c.op === op),
    jobs: async () => (await admin('/admin/jobs')).jobs,
    faults: async (f) => {
      await admin('/admin/faults', f);
    },
    resetCalls: async () => {
      await admin('/admin/reset-calls');
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
