import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { runFlags, runOptionsFromFlags } from '../cli/run-flags.js';
import { outputFlags, reportersFromFlags } from '../cli/output-flags.js';

export default class Resume extends BaseCommand {
  static override summary = 'Continue a failed or interrupted run: clone what succeeded, run the rest.';
  static override description = `RUN is RUN_ID, FLOW/RUN_ID or FLOW/latest, as for show, logs and tag; a flow file means that flow's latest run in the namespace (Metaflow's default).

Starts a new run linked to RUN (recorded as its origin). A task that succeeded in the origin is cloned without running when it is the same task (same step, item and position, command, env, params and inputs; code edits alone do not stop a clone); failed, interrupted and not-run tasks run with the current flow file and code. The origin's params are reused unless overridden with --param (secret params are never stored: pass them again). --from STEP re-runs STEP and everything downstream of it. A resumed run can itself be resumed. A run that is still alive (state running, heartbeat under 30 s old) is not resumed (exit 2) unless --force.

--dry-run prints what the resume would clone, take from the cache and run (and why), without running or recording anything.

Exit codes as for run: 0 success, 1 a step failed, 2 usage, 130 interrupted.`;

  static override examples = [
    '<%= config.bin %> resume train/latest',
    '<%= config.bin %> resume flows/train.yaml',
    '<%= config.bin %> resume 20261126T131500.123Z-ab12cd --from fit',
    '<%= config.bin %> resume train/latest --dry-run',
    '<%= config.bin %> resume train/20261126T131500.123Z-ab12cd --param epochs=400 --max-workers 4',
  ];

  static override args = {
    run: Args.string({ description: 'RUN_ID, FLOW/RUN_ID, FLOW/latest, or a flow file (its latest run)', required: true }),
  };

  static override flags = {
    ...runFlags,
    from: Flags.string({ description: 're-run this step (qualified name for steps in groups, e.g. per_fold.fit) and everything after it' }),
    file: Flags.string({ description: 'flow file to use (default: the one given as RUN, else the origin run’s)' }),
    force: Flags.boolean({ description: 'resume even if the run still looks alive (says running, heartbeat under 30 s old)' }),
    ...outputFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Resume);
    const [{ resumeFlow }, { resolveResumeTarget }] = await Promise.all([import('../runtime/run-flow.js'), import('../cli/resume-target.js')]);
    const options = runOptionsFromFlags(flags);
    const target = await resolveResumeTarget(args.run, {
      datastore: options.datastore, namespace: flags.namespace, production: flags.production, cwd: process.cwd(),
    });
    if (flags['dry-run']) {
      const { printDryRun } = await import('../cli/dry-run.js');
      return printDryRun({
        kind: 'resume', ...options, datastore: options.datastore ?? target.datastore, runId: target.runId, from: flags.from, file: flags.file ?? target.file, force: flags.force,
      }, flags.json || flags.output === 'json');
    }
    const out = await reportersFromFlags(flags);
    const result = await resumeFlow({
      ...options,
      datastore: options.datastore ?? target.datastore,
      runId: target.runId,
      from: flags.from,
      file: flags.file ?? target.file,
      force: flags.force,
      reporters: out.reporters,
      handleSignals: true,
    }).then(async (r) => {
      await out.close();
      return r;
    }, async (e: unknown) => {
      await out.close(e);
      throw e;
    });
    if (out.mode !== 'json') process.stdout.write(result.runId + '\n');
    if (result.exitCode !== 0) this.exit(result.exitCode);
  }
}
