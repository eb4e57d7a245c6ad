import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { runFlags, runOptionsFromFlags } from '../cli/run-flags.js';
import { outputFlags, reportersFromFlags } from '../cli/output-flags.js';

export default class Run extends BaseCommand {
  static override summary = 'Run a flow locally, recording every task in the store.';
  static override description = `Validates FILE, plans its DAG and runs every task, in parallel up to --max-workers.

Progress goes to stderr: a live view on a terminal; plain lines in CI (CI=true) or when stderr is a pipe or a file; with --output json, one JSON event per line on stdout instead. The run id is printed on stdout.

--dry-run prints the plan instead (on stdout; --json for JSON): for every task whether it would run, come from the cache or be skipped, and for each that would run, why: what changed since the closest earlier task of its step (code files, params, inputs, command, image, …). Nothing is run or recorded; it exits 0.

Exit codes: 0 success (also when failures were caught), 1 a step failed, 2 invalid flow or bad --param, 130 interrupted (Ctrl-C).`;

  static override examples = [
    '<%= config.bin %> run flows/train.yaml',
    '<%= config.bin %> run flows/train.yaml --param folds=5 --param lr=0.1',
    '<%= config.bin %> run flows/train.yaml --max-workers 1 --tag nightly',
    'RUN=$(<%= config.bin %> run flows/train.yaml --quiet)',
    '<%= config.bin %> run flows/train.yaml --output plain --timestamps 2> run.log',
    '<%= config.bin %> run flows/train.yaml --output json > events.ndjson',
    '<%= config.bin %> run flows/train.yaml --dry-run --param lr=0.2',
  ];

  static override args = {
    file: Args.string({ description: 'flow file (YAML)', required: true }),
  };

  static override flags = {
    ...runFlags,
    ...outputFlags,
    'keep-failed-dirs': Flags.boolean({ description: 'keep the task directories of failed attempts for debugging', hidden: true }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Run);
    if (flags['dry-run']) {
      const { printDryRun } = await import('../cli/dry-run.js');
      return printDryRun({ kind: 'run', ...runOptionsFromFlags(flags), file: args.file }, flags.json || flags.output === 'json');
    }
    const { runFlow } = await import('../runtime/run-flow.js');
    const out = await reportersFromFlags(flags);
    const result = await runFlow({
      ...runOptionsFromFlags(flags),
      file: args.file,
      reporters: out.reporters,
      handleSignals: true,
      keepFailedDirs: flags['keep-failed-dirs'],
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
