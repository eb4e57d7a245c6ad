import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { jsonFlag, storeFlags } from '../../cli/browse-flags.js';

export default class TagRemove extends BaseCommand {
  static override summary = 'Remove tags from one run, including ones given at `run --tag`.';
  static override description = `RUN is one run: RUN_ID, FLOW/RUN_ID or FLOW/latest; every word after it is a tag. A tag that looks like a run (it has a / or is a run id) and that the run does not carry is refused: tag each run with its own command.

Tags added or removed after a run started are kept in the flow's tags/<run-id>.json (written atomically, never in run.json, which a live run keeps rewriting) and merged with the tags it was started with. Prints the run's tags afterwards.`;

  static override usage = '<%= command.id %> RUN TAG... [-n <value> | -A] [--datastore <value>] [--json]';

  static override examples = ['<%= config.bin %> tag remove 20261126T132857.867Z-vx1m5x baseline'];

  static override strict = false;

  static override args = {
    run: Args.string({ description: 'the run: RUN_ID, FLOW/RUN_ID or FLOW/latest', required: true }),
    tag: Args.string({ description: 'tags to remove, one or more', required: true }),
  };

  static override flags = {
    ...storeFlags,
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(TagRemove);
    const { runTag } = await import('../../browse/tags-service.js');
    const { contextFrom } = await import('../../browse/context.js');
    await runTag({ action: 'remove', run: args.run, tags: (argv as string[]).slice(1), ctx: contextFrom(flags), json: flags.json });
  }
}
