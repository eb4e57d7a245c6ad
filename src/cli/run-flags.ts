/**
 * Flags `run` and `resume` share (both start a run): params, workers, tags, namespace,
 * store, run-id file and caching. Output flags live in src/cli/output-flags.ts.
 */
import { Flags } from '@oclif/core';

export const runFlags = {
  param: Flags.string({ char: 'p', description: 'set a param: name=value (repeatable); env FLOWCTL_PARAM_<NAME> sets one without putting it on the command line', multiple: true, default: [] }),
  'max-workers': Flags.integer({ char: 'j', description: 'tasks run at once (default: number of CPUs)', min: 1 }),
  tag: Flags.string({ description: 'tag the run (repeatable)', multiple: true, default: [] }),
  namespace: Flags.string({ description: 'namespace of the run (default user:<you>)' }),
  production: Flags.boolean({ description: 'record the run in the production namespace' }),
  datastore: Flags.string({
    description: 'store location: a path or s3://bucket/prefix (default: nearest .flowctl/ above cwd or the project, else ./.flowctl; env FLOWCTL_DATASTORE)',
  }),
  'run-id-file': Flags.string({ description: 'write the run id to this file as soon as the run is recorded' }),
  cache: Flags.boolean({ description: 'reuse results of earlier identical tasks (--no-cache: run everything)', default: true, allowNo: true }),
};

export interface RunFlagValues {
  param: string[];
  'max-workers'?: number;
  tag: string[];
  namespace?: string;
  production: boolean;
  datastore?: string;
  'run-id-file'?: string;
  cache: boolean;
}

/** The run service's options from the shared flags. */
export function runOptionsFromFlags(flags: RunFlagValues) {
  return {
    params: flags.param,
    maxWorkers: flags['max-workers'],
    tags: flags.tag,
    namespace: flags.namespace,
    production: flags.production,
    datastore: flags.datastore,
    runIdFile: flags['run-id-file'],
    noCache: !flags.cache,
  };
}
