import { Args } from '@oclif/core';
import { BaseCommand } from '../../cli/base-command.js';
import { jsonFlag, storeFlags } from '../../cli/browse-flags.js';

export default class TagList extends BaseCommand {
  static override summary = "List a run's tags, one per line.";
  static override description = `RUN is RUN_ID, FLOW/RUN_ID or FLOW/latest. Prints the tags the run was started with (\`run --tag\`) merged with those added or removed since (\`tag add\`, \`tag remove\`). \`flowctl show FLOW --tag T\` filters runs by tag.`;

  static override examples = ['<%= config.bin %> tag list train/latest'];

  static override args = {
    run: Args.string({ description: 'RUN_ID, FLOW/RUN_ID or FLOW/latest', required: true }),
  };

  static override flags = {
    ...storeFlags,
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(TagList);
    const { runTag } = await import('../../browse/tags-service.js');
    const { contextFrom } = await import('../../browse/context.js');
    await runTag({ action: 'list', run: args.run, ctx: contextFrom(flags), json: flags.json });
  }
}
