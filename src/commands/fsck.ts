import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { jsonFlag } from '../cli/browse-flags.js';

export default class Fsck extends BaseCommand {
  static override summary = 'Check a store: re-hash every object, read every record, follow every reference (local or S3).';
  static override description = `Re-hashes every object in full, checks that every record parses, and that every reference (task and attempt outputs, directory manifests, code snapshots and their files, cache entries, tag edits, the runs index) points at something that exists and is intact. Prints one line per problem and a summary. Memory stays bounded however big the store.

Changes nothing unless --repair: then damaged objects are moved to quarantine/, cache entries that point at missing or damaged outputs are dropped (so the next run produces them again), and code snapshots with a missing or damaged file are dropped (the next run of that code writes them again). Records are never changed. Exit 0 when the store is clean, 1 when anything is wrong (also with --repair), 2 for bad flags or no store.`;

  static override examples = [
    '<%= config.bin %> fsck',
    '<%= config.bin %> fsck --repair',
    '<%= config.bin %> fsck --datastore s3://bucket/flowctl --json',
  ];

  static override flags = {
    repair: Flags.boolean({ description: 'quarantine damaged objects and drop cache entries and code snapshots that point at missing or damaged ones' }),
    datastore: Flags.string({ description: 'store location (default: nearest .flowctl/ above the working directory; env FLOWCTL_DATASTORE)' }),
    ...jsonFlag,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Fsck);
    const { runFsck } = await import('../cli/fsck-service.js');
    const code = await runFsck({ datastore: flags.datastore, cwd: process.cwd(), repair: flags.repair, json: flags.json });
    if (code !== 0) this.exit(code);
  }
}
