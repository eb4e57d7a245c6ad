import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { executorFlags } from '../cli/run-flags.js';
import { ExitCode, formatProblem } from '../errors.js';

export default class Validate extends BaseCommand {
  static override summary = 'Check flow files against the spec without running them.';
  static override description = `Checks each FILE: YAML syntax, the JSON Schema (see flowctl schema), and the semantic rules: unknown needs, cycles, expressions naming unknown params or steps, item outside a foreach, colliding outputs; and that every step's executor (a container for image:, AWS Batch for executor: batch) is available here.

Prints "ok FILE" for each valid file. Otherwise prints every problem as FILE:LINE:COL: message (with a hint where one helps) on stderr and exits 2. With --json, prints a report on stdout instead (still exit 2 when a file is invalid). Under GitHub Actions (GITHUB_ACTIONS=true) each problem is an ::error workflow command at its file, line and column, so it shows on the pull request's diff.`;

  static override examples = [
    '<%= config.bin %> validate flows/train.yaml',
    '<%= config.bin %> validate flows/*.yaml',
    '<%= config.bin %> validate flows/train.yaml --json',
    '<%= config.bin %> validate flows/train.yaml --json | jq -r \'.files[].problems[] | "\\(.line):\\(.col) \\(.message)"\'',
  ];

  static override strict = false;

  static override args = {
    file: Args.string({ description: 'flow file(s) to check (YAML)', required: true }),
  };

  static override flags = {
    datastore: Flags.string({ description: 'the store runs will use (a path or s3://bucket/prefix; env FLOWCTL_DATASTORE): AWS Batch steps need S3' }),
    ...executorFlags,
    json: Flags.boolean({ description: 'print a machine-readable report: { valid, files: [{ file, valid, problems: [{ file, line, col, message, hint, rule }] }] }' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Validate);
    const { validateFiles } = await import('../spec/validate-files.js');
    const { executorProblems, runSetup, withExecutor } = await import('../runtime/executor-check.js');
    const setup = runSetup({ datastore: flags.datastore, batchQueue: flags['batch-queue'] });
    const executor = flags.executor as 'batch' | 'local' | undefined;
    const { problems, ...report } = await validateFiles(argv as string[], (spec) => executorProblems(withExecutor(spec, executor), setup));
    // Under GitHub Actions every problem is an ::error annotation at its file:line:col (also with --json: they go to stderr).
    const github = process.env.GITHUB_ACTIONS === 'true' ? await import('../ui/github-actions.js') : undefined;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      if (github) for (const p of problems) process.stderr.write(`${github.problemAnnotation(p)}\n`);
    } else {
      for (const f of report.files) if (f.valid) process.stdout.write(`ok ${f.file}\n`);
      for (const p of problems) process.stderr.write(`${github ? github.problemAnnotation(p) : formatProblem(p)}\n`);
      if (!report.valid) process.stderr.write(`${problems.length} problem${problems.length === 1 ? '' : 's'} found\n`);
    }
    if (!report.valid) this.exit(ExitCode.Usage);
  }
}
