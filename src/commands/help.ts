import { Args, Flags, loadHelpClass } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { ExitCode, FlowctlError } from '../errors.js';

/**
 * `flowctl help [COMMAND]`. @oclif/plugin-help's command, minus its `-n` (nested commands),
 * since `-n` means --namespace everywhere else.
 */
export default class Help extends BaseCommand {
  static override summary = 'Show help for flowctl or one of its commands (the same as COMMAND --help).';

  static override examples = ['<%= config.bin %> help', '<%= config.bin %> help run', '<%= config.bin %> help tag add'];

  static override strict = false;

  static override args = {
    command: Args.string({ description: 'a command, e.g. run or tag add', required: false }),
  };

  static override flags = {
    'nested-commands': Flags.boolean({ description: 'list the commands inside topics too' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Help);
    const HelpClass = await loadHelpClass(this.config);
    const words = argv as string[];
    const id = words.join(':');
    if (words.length > 0 && !this.config.findCommand(id) && !this.config.findTopic(id)) {
      const { closestCommand } = await import('../cli/not-found.js');
      const guess = closestCommand(this.config, words.join(' '));
      throw new FlowctlError('USAGE', `no command '${words.join(' ')}'${guess ? `; did you mean '${guess}'?` : ''}`, {
        exitCode: ExitCode.Usage, hint: `\`${this.config.bin} help\` lists the commands`,
      });
    }
    await new HelpClass(this.config, { all: flags['nested-commands'] }).showHelp(words);
  }
}
