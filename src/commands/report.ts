import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { storeFlags } from '../cli/browse-flags.js';

export default class Report extends BaseCommand {
  static override summary = "Write a run's page as one self-contained HTML file.";
  static override description = [
    'The DAG with states, a timeline of tasks, params, values, failures first and the tails of task logs, in one HTML file with everything inlined: attach it to a CI job or send it to a colleague; it opens offline (file://) in any browser.',
    'RUN is RUN_ID, FLOW/RUN_ID or FLOW/latest. Prints the path of the file.',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> report train/latest -o report.html',
    '<%= config.bin %> report 20261126T132857.867Z-vx1m5x',
    '<%= config.bin %> report train/latest -o - > report.html',
  ];

  static override args = {
    run: Args.string({ description: 'RUN_ID, FLOW/RUN_ID or FLOW/latest', required: true }),
  };

  static override flags = {
    output: Flags.string({ char: 'o', description: 'file to write (default <flow>-<run-id>.html; - for stdout)' }),
    force: Flags.boolean({ description: 'replace an existing file' }),
    ...storeFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Report);
    const { writeReport } = await import('../web/report-service.js');
    const { contextFrom } = await import('../browse/context.js');
    await writeReport({ run: args.run, ctx: contextFrom(flags), output: flags.output, force: flags.force });
  }
}
