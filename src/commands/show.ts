import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { jsonFlag, storeFlags } from '../cli/browse-flags.js';
import type { RunStatus } from '../client/types.js';

export default class Show extends BaseCommand {
  static override summary = 'Browse flows, runs, steps, tasks and artifacts in the store.';
  static override description = `PATH narrows down, most recent first, in the current namespace (user:<you> unless --namespace or --all-namespaces). RUN is RUN_ID, FLOW/RUN_ID or FLOW/latest.
  (none)              flows with their latest run
  FLOW                runs of a flow (--status, --tag, --limit)
  RUN                 a run: record, params, steps
  RUN/STEP            tasks of a step
  RUN/STEP/TASK       attempts, outputs and values of a task
  RUN/STEP/TASK/PATH  an artifact's content (a directory is listed)

-o saves an artifact (a file or a directory). Binary content is not printed to a terminal unless --force. On a terminal, states are shown with the live view's icons and colours (not when piped or with NO_COLOR). --json prints a stable shape for every form.`;

  static override examples = [
    '<%= config.bin %> show',
    '<%= config.bin %> show train --status failed --limit 5',
    '<%= config.bin %> show train/latest',
    '<%= config.bin %> show train/latest/fit',
    '<%= config.bin %> show 20261126T132857.867Z-vx1m5x/fit/0',
    '<%= config.bin %> show train/latest/evaluate/0/report.json --json',
    '<%= config.bin %> show train/latest/fit/2/model.json -o model.json',
  ];

  static override args = {
    path: Args.string({ description: 'FLOW, RUN, RUN/STEP, RUN/STEP/TASK or RUN/STEP/TASK/PATH', required: false }),
  };

  static override flags = {
    output: Flags.string({ char: 'o', description: 'save the artifact (file or directory) to this path' }),
    // No `-f`: it means --follow (logs), one meaning across commands.
    force: Flags.boolean({ description: 'print binary content to a terminal; overwrite an existing -o path' }),
    ...jsonFlag,
    status: Flags.string({ description: 'only runs in this state (repeatable)', options: ['succeeded', 'failed', 'running', 'interrupted', 'dead', 'damaged'], multiple: true, multipleNonGreedy: true }),
    tag: Flags.string({ description: 'only runs with this tag (repeatable: all must match)', multiple: true, multipleNonGreedy: true }),
    limit: Flags.integer({ description: 'at most N runs (0: all)', min: 0 }),
    ...storeFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Show);
    const { runShow } = await import('../browse/show-service.js');
    const { contextFrom } = await import('../browse/context.js');
    await runShow({
      path: args.path, ctx: contextFrom(flags), json: flags.json, status: flags.status as RunStatus[] | undefined, tag: flags.tag,
      limit: flags.limit, output: flags.output, force: flags.force,
    });
  }
}
