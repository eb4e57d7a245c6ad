import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { jsonFlag, storeFlags } from '../../cli/browse-flags.js';

export default class TagAdd extends BaseCommand {
  static override summary = 'Add tags to a run (safe while it runs).';
  static override description = `RUN is RUN_ID, FLOW/RUN_ID or FLOW/latest. Tags added or removed after a run started are kept in the
flow's tags/<run-id>.json (written atomically, never in run.json, which a live run keeps rewriting) and merged with
the tags it was started with. Prints the run's tags afterwards. \`flowctl show FLOW --tag T\` filters by tag.`;

  static override examples = ['<%= config.bin %> tag add train/latest best baseline'];

  static override strict = false;

  static override args = {
    run: Args.string({ description: 'RUN_ID, FLOW/RUN_ID or FLOW/latest', required: true }),
    tags: Args.string({ description: 'tags to add', required: true }),
  };

  static override flags = {
    ...jsonFlag,
    ...storeFlags,
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(TagAdd);
    const { runTag } = await import('../../browse/tags-service.js');
    const { contextFrom } = await import('../../browse/context.js');
    await runTag({ action: 'add', run: args.run, tags: (argv as string[]).slice(1), ctx: contextFrom(flags), json: flags.json });
  }
}
