import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { outputFlags, reportersFromFlags } from '../ui/output-flags.js';

export default class Run extends BaseCommand {
  static override summary = 'Run a flow locally, recording every task in the store.';
  static override description = `Validates FILE, plans its DAG and runs every task, in parallel up to --max-workers.

Progress goes to stderr: a live view on a terminal; plain lines in CI (CI=true) or when stderr is a pipe or a file; with --output json, one JSON event per line on stdout instead. The run id is printed on stdout.

Exit codes: 0 success (also when failures were caught), 1 a step failed, 2 invalid flow or bad --param, 130 interrupted (Ctrl-C).`;

  static override examples = [
    '<%= config.bin %> run flows/train.yaml',
    '<%= config.bin %> run flows/train.yaml --param folds=5 --param lr=0.1',
    '<%= config.bin %> run flows/train.yaml --max-workers 1 --tag nightly',
    'RUN=$(<%= config.bin %> run flows/train.yaml --quiet)',
    '<%= config.bin %> run flows/train.yaml --output plain --timestamps 2> run.log',
    '<%= config.bin %> run flows/train.yaml --output json > events.ndjson',
  ];

  static override args = {
    file: Args.string({ description: 'flow file (YAML)', required: true }),
  };

  static override flags = {
    param: Flags.string({ char: 'p', description: 'set a param: name=value (repeatable)', multiple: true, default: [] }),
    'max-workers': Flags.integer({ char: 'j', description: 'tasks run at once (default: number of CPUs)', min: 1 }),
    tag: Flags.string({ description: 'tag the run (repeatable)', multiple: true, default: [] }),
    namespace: Flags.string({ description: 'namespace of the run (default user:<you>)' }),
    production: Flags.boolean({ description: 'record the run in the production namespace' }),
    datastore: Flags.string({ description: 'store location (default: nearest .flowctl/ above cwd or the project, else ./.flowctl; env FLOWCTL_DATASTORE)' }),
    'run-id-file': Flags.string({ description: 'write the run id to this file as soon as it is known' }),
    ...outputFlags,
    cache: Flags.boolean({ description: 'reuse results of earlier identical tasks (--no-cache: run everything)', default: true, allowNo: true }),
    'keep-failed-dirs': Flags.boolean({ description: 'keep the task directories of failed attempts for debugging', hidden: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    const { runFlow } = await import('../runtime/run-flow.js');
    const out = await reportersFromFlags(flags);
    const result = await runFlow({
      file: args.file,
      params: flags.param,
      maxWorkers: flags['max-workers'],
      tags: flags.tag,
      namespace: flags.namespace,
      production: flags.production,
      datastore: flags.datastore ?? process.env.FLOWCTL_DATASTORE,
      runIdFile: flags['run-id-file'],
      reporters: out.reporters,
      handleSignals: true,
      keepFailedDirs: flags['keep-failed-dirs'],
      noCache: !flags.cache,
    }).finally(out.close);
    if (out.mode !== 'json') process.stdout.write(result.runId + '\n');
    if (result.exitCode !== 0) this.exit(result.exitCode);
  }
}
