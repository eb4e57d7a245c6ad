/**
 * Flags `run` and `resume` share (both start a run): params, workers, tags, namespace,
 * store, run-id file and caching. Output flags live in src/cli/output-flags.ts.
 *
 * Repeatable flags take one value per use (`multipleNonGreedy`): with oclif's greedy default,
 * `run -p n=3 flow.yaml` read the file as a second param and `run flow.yaml --tag a b`
 * silently tagged the run twice.
 */
import { Flags } from '@oclif/core';

/** Where steps run: shared by run, resume and validate. */
export const executorFlags = {
  executor: Flags.string({
    description: 'batch: run every step that has an image: on AWS Batch; local: run every step on this machine (whatever executor: says)',
    options: ['batch', 'local'],
  }),
  'batch-queue': Flags.string({ description: 'AWS Batch job queue of batch steps that name none in batch: { queue } (env FLOWCTL_BATCH_QUEUE)' }),
};

export const runFlags = {
  param: Flags.string({ char: 'p', description: 'set a param: name=value (repeat the flag for each param); env FLOWCTL_PARAM_<NAME> sets one without putting it on the command line', multiple: true, multipleNonGreedy: true }),
  'max-workers': Flags.integer({ char: 'j', description: 'tasks run at once (default: number of CPUs)', min: 1 }),
  tag: Flags.string({ description: 'tag the run (repeat the flag for each tag)', multiple: true, multipleNonGreedy: true }),
  namespace: Flags.string({ char: 'n', description: 'namespace of the run (default: user:<you>)' }),
  production: Flags.boolean({ description: 'record the run in the production namespace', exclusive: ['namespace'] }),
  datastore: Flags.string({
    description: 'store location: a path or s3://bucket/prefix (default: the nearest .flowctl/ above the working directory or the project, else ./.flowctl; env FLOWCTL_DATASTORE)',
  }),
  'run-id-file': Flags.string({ description: 'write the run id to this file as soon as the run is recorded' }),
  cache: Flags.boolean({ description: 'reuse results of earlier identical tasks (--no-cache: run every task)', default: true, allowNo: true }),
  ...executorFlags,
  'dry-run': Flags.boolean({
    description: 'print the plan without running or recording anything: which tasks would run, which come from the cache, which are skipped, and why',
    exclusive: ['run-id-file', 'junit'],
  }),
  json: Flags.boolean({ description: 'with --dry-run: print the plan as JSON on stdout', dependsOn: ['dry-run'] }),
};

export interface RunFlagValues {
  param?: string[];
  'max-workers'?: number;
  tag?: string[];
  namespace?: string;
  production: boolean;
  datastore?: string;
  'run-id-file'?: string;
  cache: boolean;
  executor?: string;
  'batch-queue'?: string;
  'dry-run': boolean;
  json: boolean;
}

/** The run service's options from the shared flags. */
export function runOptionsFromFlags(flags: RunFlagValues) {
  return {
    params: flags.param ?? [],
    maxWorkers: flags['max-workers'],
    tags: flags.tag ?? [],
    namespace: flags.namespace,
    production: flags.production,
    datastore: flags.datastore,
    runIdFile: flags['run-id-file'],
    noCache: !flags.cache,
    executor: flags.executor as 'batch' | 'local' | undefined,
    batchQueue: flags['batch-queue'],
  };
}
