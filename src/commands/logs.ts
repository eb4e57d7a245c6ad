import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { jsonFlag, storeFlags } from '../cli/browse-flags.js';

export default class Logs extends BaseCommand {
  static override summary = 'Print or follow the logs of a run, a step or a task.';
  static override description = `RUN/STEP/TASK prints the stdout (or --stderr) of the task's latest attempt, or of --attempt N. RUN/STEP prints every task of the step one after the other (a step with one task prints just its log). RUN prints every task of the run, steps in DAG order and tasks by id, each line prefixed with its task ("fit/2 | …"): its stdout, then its stderr (--stdout or --stderr for one). --failed keeps only the failed (or interrupted) tasks of RUN or RUN/STEP. A cached task's logs are those of the task that ran (noted on stderr). RUN is RUN_ID, FLOW/RUN_ID or FLOW/latest.

--follow streams a running task's log as it is written, through its retries, and exits when the task finishes or the run ends; a task that has not started yet is waited for.`;

  static override examples = [
    '<%= config.bin %> logs train/latest',
    '<%= config.bin %> logs train/latest --failed',
    '<%= config.bin %> logs train/latest/prepare',
    '<%= config.bin %> logs train/latest/fit/2 --stderr',
    '<%= config.bin %> logs 20261126T132857.867Z-vx1m5x/fit/0 --attempt 1',
    '<%= config.bin %> logs train/latest/fit/0 --follow',
  ];

  static override args = {
    path: Args.string({ description: 'RUN, RUN/STEP or RUN/STEP/TASK', required: true }),
  };

  static override flags = {
    attempt: Flags.integer({ char: 'a', description: 'attempt number (default: the latest)', min: 1 }),
    stderr: Flags.boolean({ description: 'print stderr only', exclusive: ['stdout'] }),
    stdout: Flags.boolean({ description: 'print stdout only (the default for RUN/STEP and RUN/STEP/TASK)' }),
    failed: Flags.boolean({ description: 'only the tasks that failed (RUN or RUN/STEP)' }),
    follow: Flags.boolean({ char: 'f', description: 'stream the log until the task finishes' }),
    ...jsonFlag,
    ...storeFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Logs);
    const { runLogs } = await import('../browse/logs-service.js');
    const { contextFrom } = await import('../browse/context.js');
    await runLogs({
      path: args.path, ctx: contextFrom(flags), attempt: flags.attempt, stream: flags.stderr ? 'stderr' : flags.stdout ? 'stdout' : undefined,
      follow: flags.follow, json: flags.json, failed: flags.failed,
    });
  }
}
