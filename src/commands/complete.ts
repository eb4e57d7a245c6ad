import { Args } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { storeFlags } from '../cli/browse-flags.js';

/** Called by the shell completion functions (see `flowctl autocomplete`); not for people. */
export default class Complete extends BaseCommand {
  static override hidden = true;
  static override summary = 'Print completions of a run path (for shell completion).';

  static override args = {
    prefix: Args.string({ description: 'what was typed so far', default: '' }),
  };

  static override flags = { ...storeFlags };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Complete);
    const [{ completions }, { contextFrom }] = await Promise.all([import('../browse/complete-service.js'), import('../browse/context.js')]);
    const found = await completions(contextFrom(flags), args.prefix ?? '');
    process.stdout.write(found.map((c) => `${c}\n`).join(''));
  }
}
