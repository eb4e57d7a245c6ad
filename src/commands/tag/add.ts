import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { jsonFlag, storeFlags } from '../../cli/browse-flags.js';

export default class TagAdd extends BaseCommand {
  static override summary = 'Add tags to one run (safe while it runs).';
  static override description = `RUN is one run: RUN_ID, FLOW/RUN_ID or FLOW/latest; every word after it is a tag. A tag that looks like a run (it has a / or is a run id) is refused, so \`tag add RUN_A RUN_B best\` cannot tag RUN_A with RUN_B's name: tag each run with its own command.

Tags added or removed after a run started are kept in the flow's tags/<run-id>.json (written atomically, never in run.json, which a live run keeps rewriting) and merged with the tags it was started with. Prints the run's tags afterwards. \`flowctl show FLOW --tag T\` filters by tag.`;

  static override usage = '<%= command.id %> RUN TAG... [-n <value> | -A] [--datastore <value>] [--json]';

  static override examples = ['<%= config.bin %> tag add train/latest best baseline'];

  static override strict = false;

  static override args = {
    run: Args.string({ description: 'the run: RUN_ID, FLOW/RUN_ID or FLOW/latest', required: true }),
    tag: Args.string({ description: 'tags to add, one or more', required: true }),
  };

  static override flags = {
    ...storeFlags,
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { args, argv, flags } = await this.parse(TagAdd);
    const { runTag } = await import('../../browse/tags-service.js');
    const { contextFrom } = await import('../../browse/context.js');
    await runTag({ action: 'add', run: args.run, tags: (argv as string[]).slice(1), ctx: contextFrom(flags), json: flags.json });
  }
}
