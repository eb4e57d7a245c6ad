import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { jsonFlag } from '../cli/browse-flags.js';

export default class Gc extends BaseCommand {
  static override summary = 'Remove old runs, then every object and code snapshot no kept run or cache entry needs (safe while runs are active).';
  static override description = `Without --keep-last or --older-than no run is removed: only what no run references (objects of removed runs, crash leftovers, cache entries pointing at missing runs). --keep-last N keeps the N newest runs of each flow; --older-than D removes only runs that started more than D ago (both: runs beyond the newest N AND older than D). Live runs (fresh heartbeat) and runs whose record cannot be read are never removed by gc.

Safe while other runs are active: objects used since gc started (less --grace, for clocks of other machines) are kept, and runs reuse nothing gc is removing (README: "Maintaining a store"). --dry-run changes nothing and prints what would go and the bytes it would free. Exit 0 when done, 1 when refused (another gc or rm holds the store, a kept run's records are damaged), 2 for bad flags.`;

  static override examples = [
    '<%= config.bin %> gc --dry-run',
    '<%= config.bin %> gc --keep-last 10',
    '<%= config.bin %> gc --older-than 30d --flow train',
  ];

  static override flags = {
    'keep-last': Flags.integer({ description: 'keep the N newest runs of each flow', min: 0 }),
    'older-than': Flags.string({ description: 'remove only runs that started more than this long ago (e.g. 30d, 12h)' }),
    flow: Flags.string({ description: 'remove runs of this flow only (objects are collected store-wide)' }),
    'dry-run': Flags.boolean({ description: 'change nothing: print what would go and the bytes it would free' }),
    grace: Flags.string({ description: 'keep objects used this long before gc started, whatever references them (default 10m)' }),
    datastore: Flags.string({ description: 'store location (default: nearest .flowctl/ above the working directory; env FLOWCTL_DATASTORE)' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Gc);
    const { runGc } = await import('../cli/gc-service.js');
    await runGc({
      datastore: flags.datastore, cwd: process.cwd(), keepLast: flags['keep-last'], olderThan: flags['older-than'], flow: flags.flow,
      dryRun: flags['dry-run'], grace: flags.grace, json: flags.json,
    });
  }
}
