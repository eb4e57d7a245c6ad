/**
 * oclif's help with two fixes: the package's `helpOptions` apply to `flowctl help CMD` too
 * (@oclif/plugin-help builds its Help without them, so flags came out re-sorted there), and a
 * command that takes a variable number of arguments marks only its last one as repeatable
 * (`RUN TAG...`, not `RUN... TAG...`, which read as if `tag add` took several runs).
 */
import { CommandHelp, Help, type Command, type Config, type Interfaces } from '@oclif/core';

class FlowctlCommandHelp extends CommandHelp {
  protected override args(args: Command.Arg.Any[]): [string, string | undefined][] | undefined {
    const rows = super.args(args);
    if (!rows || this.command.strict !== false) return rows;
    return rows.map(([name, description], i) => [i < rows.length - 1 ? name.replace(/\.\.\.(\]?)$/, '$1') : name, description]);
  }
}

export default class FlowctlHelp extends Help {
  protected override CommandHelpClass = FlowctlCommandHelp;

  constructor(config: Config, opts: Partial<Interfaces.HelpOptions> = {}) {
    super(config, { ...(config.pjson.oclif as { helpOptions?: Partial<Interfaces.HelpOptions> }).helpOptions, ...opts });
  }
}
