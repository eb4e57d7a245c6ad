import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { jsonFlag, storeFlags } from '../../cli/browse-flags.js';

export default class TagRemove extends BaseCommand {
  static override summary = 'Remove tags from a run, including ones given at `run --tag`.';
  static override description = `RUN is RUN_ID, FLOW/RUN_ID or FLOW/latest. Tags added or removed after a run started are kept in the
flow's tags/<run-id>.json (written atomically, never in run.json, which a live run keeps rewriting) and merged with
the tags it was started with. Prints the run's tags afterwards. \`flowctl show FLOW --tag T\` filters by tag.`;

  static override examples = ['<%= config.bin %> tag remove 20261126T132857.867Z-vx1m5x baseline'];

  static override strict = false;

  static override args = {
    run: Args.string({ description: 'RUN_ID, FLOW/RUN_ID or FLOW/latest', required: true }),
    tags: Args.string({ description: 'tags to remove', required: true }),
  };

  static override flags = {
    ...jsonFlag,
    ...storeFlags,
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(TagRemove);
    const { runTag } = await import('../../browse/tags-service.js');
    const { contextFrom } = await import('../../browse/context.js');
    await runTag({ action: 'remove', run: args.run, tags: (argv as string[]).slice(1), ctx: contextFrom(flags), json: flags.json });
  }
}
