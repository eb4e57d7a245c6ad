import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { outputFlags, reportersFromFlags } from '../ui/output-flags.js';

export default class Resume extends BaseCommand {
  static override summary = 'Continue a failed or interrupted run: clone what succeeded, run the rest.';
  static override description = `Starts a new run linked to RUN_ID (recorded as its origin). Tasks that succeeded in the origin
are cloned without running; failed and not-run tasks run with the current flow file and code. The origin's
params are reused unless overridden with --param (secret params are never stored: pass them again).
--from STEP re-runs STEP and everything downstream of it. A resumed run can itself be resumed.
Exit codes as for run: 0, 1 a step failed, 2 usage, 130 interrupted.`;

  static override examples = [
    '<%= config.bin %> resume 20261126T131500.123Z-ab12cd',
    '<%= config.bin %> resume 20261126T131500.123Z-ab12cd --from fit',
    '<%= config.bin %> resume 20261126T131500.123Z-ab12cd --param epochs=400 --max-workers 4',
  ];

  static override args = {
    runId: Args.string({ description: 'the run to resume', required: true }),
  };

  static override flags = {
    from: Flags.string({ description: 're-run this step (qualified name for steps in groups, e.g. per_fold.fit) and everything after it' }),
    file: Flags.string({ description: 'flow file to use (default: the origin run’s)' }),
    param: Flags.string({ char: 'p', description: 'override a param: name=value (repeatable)', multiple: true, default: [] }),
    'max-workers': Flags.integer({ char: 'j', description: 'tasks run at once (default: number of CPUs)', min: 1 }),
    tag: Flags.string({ description: 'tag the new run (repeatable)', multiple: true, default: [] }),
    namespace: Flags.string({ description: 'namespace of the new run (default user:<you>)' }),
    production: Flags.boolean({ description: 'record the new run in the production namespace' }),
    datastore: Flags.string({ description: 'store location (default: nearest .flowctl/; env FLOWCTL_DATASTORE)' }),
    'run-id-file': Flags.string({ description: 'write the new run id to this file as soon as it is known' }),
    cache: Flags.boolean({ description: 'reuse results of earlier identical tasks for the tasks that run', default: true, allowNo: true }),
    ...outputFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Resume);
    const { resumeFlow } = await import('../runtime/run-flow.js');
    const out = await reportersFromFlags(flags);
    const result = await resumeFlow({
      runId: args.runId,
      from: flags.from,
      file: flags.file,
      params: flags.param,
      maxWorkers: flags['max-workers'],
      tags: flags.tag,
      namespace: flags.namespace,
      production: flags.production,
      datastore: flags.datastore ?? process.env.FLOWCTL_DATASTORE,
      runIdFile: flags['run-id-file'],
      noCache: !flags.cache,
      reporters: out.reporters,
      handleSignals: true,
    }).finally(out.close);
    if (out.mode !== 'json') process.stdout.write(result.runId + '\n');
    if (result.exitCode !== 0) this.exit(result.exitCode);
  }
}
