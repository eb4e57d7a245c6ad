import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { jsonFlag } from '../cli/browse-flags.js';

export default class Rm extends BaseCommand {
  static override summary = 'Remove runs, then every object no other run or cache entry needs.';
  static override description = `RUN is RUN_ID, FLOW/RUN_ID or FLOW/latest; a run whose record is damaged can be named too. A live run (fresh heartbeat) is refused (exit 1): stop it first. After the runs' records go, the objects, code snapshots and cache entries only they used are collected as \`flowctl gc\` does (objects used in the last --grace are kept). --dry-run changes nothing and prints what would go. Exit 0 when done, 1 when refused, 2 for an unknown run.`;

  static override usage = '<%= command.id %> RUN... [--dry-run] [--datastore <value>] [--json]';

  static override examples = ['<%= config.bin %> rm train/20261126T131500.123Z-ab12cd', '<%= config.bin %> rm train/latest --dry-run'];

  static override strict = false;

  static override args = {
    run: Args.string({ description: 'runs to remove: RUN_ID, FLOW/RUN_ID or FLOW/latest', required: true }),
  };

  static override flags = {
    'dry-run': Flags.boolean({ description: 'change nothing: print what would go and the bytes it would free' }),
    grace: Flags.string({ description: 'keep objects used this long before rm started, whatever references them (default 10m)' }),
    datastore: Flags.string({ description: 'store location (default: nearest .flowctl/ above the working directory; env FLOWCTL_DATASTORE)' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Rm);
    const { runGc } = await import('../cli/gc-service.js');
    await runGc({ datastore: flags.datastore, cwd: process.cwd(), runs: argv as string[], dryRun: flags['dry-run'], grace: flags.grace, json: flags.json });
  }
}
