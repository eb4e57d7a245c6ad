import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { jsonFlag, storeFlags } from '../cli/browse-flags.js';

export default class Diff extends BaseCommand {
  static override summary = 'Compare two runs: params, values, outputs, task and step states, durations.';
  static override description = `Compares RUN_A with RUN_B (each RUN_ID, FLOW/RUN_ID, FLOW/latest or FLOW/latest~N, the Nth run before the latest); FLOW alone compares its last two runs. Tasks are matched by step and task id, outputs by path.

Lists what changed, side by side: params; each step's state, task counts and duration (every step, always); tasks whose state or item changed; values (with the numeric delta, like dvc metrics diff); outputs added, removed or modified (size and sha256; for a directory, the files inside that differ). A cached task counts as succeeded. --all lists unchanged rows too.

Exits 0 whether or not the runs differ, like dvc diff; with --exit-code, exits 1 when params, values, outputs or states differ (durations never count), like git diff --exit-code.`;

  static override examples = [
    '<%= config.bin %> diff train/latest~1 train/latest',
    '<%= config.bin %> diff train',
    '<%= config.bin %> diff 20261126T131500.123Z-ab12cd 20261126T132857.867Z-vx1m5x --all',
    '<%= config.bin %> diff train/latest~1 train/latest --json | jq \'.values[] | select(.name == "auc")\'',
    '<%= config.bin %> diff train/latest~1 train/latest --exit-code >/dev/null || echo "the re-run did not reproduce"',
  ];

  static override args = {
    runA: Args.string({ description: 'the run to compare from (or a FLOW: its last two runs)', required: true }),
    runB: Args.string({ description: 'the run to compare with', required: false }),
  };

  static override flags = {
    all: Flags.boolean({ description: 'also list params, values, outputs and tasks that did not change' }),
    'exit-code': Flags.boolean({ description: 'exit 1 when the runs differ (not counting durations), 0 when they do not' }),
    ...jsonFlag,
    ...storeFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Diff);
    const [{ runDiff }, { contextFrom }] = await Promise.all([import('../browse/diff-service.js'), import('../browse/context.js')]);
    const d = await runDiff({ runs: [args.runA, ...(args.runB === undefined ? [] : [args.runB])], ctx: contextFrom(flags), json: flags.json, all: flags.all });
    if (flags['exit-code'] && d.differ) this.exit(1);
  }
}
