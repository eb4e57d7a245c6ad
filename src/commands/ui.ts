import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { storeFlags } from '../cli/browse-flags.js';

export default class Ui extends BaseCommand {
  static override summary = 'Browse the store in a web browser: runs, DAGs, live logs, artifacts, comparisons.';
  static override description = [
    'Serves a local web UI over the store until Ctrl-C: nothing else to install or deploy. Prints the URL on stdout.',
    'Binds 127.0.0.1 by default; on any other --host, every request needs the token printed in the URL. The UI reads the store and can tag runs; it changes nothing else.',
    'Lists start on the current namespace (user:<you>, or --namespace; -A for all).',
  ].join('\n\n');

  static override examples = [
    '<%= config.bin %> ui',
    '<%= config.bin %> ui --open --port 0',
    '<%= config.bin %> ui --datastore s3://bucket/flowctl -A',
    '<%= config.bin %> ui --host 0.0.0.0 --port 8642      # reachable from other machines, with a token',
  ];

  static override flags = {
    port: Flags.integer({ description: 'port to listen on; 0 picks a free one (default 8642, or a free one when taken)', min: 0, max: 65535 }),
    host: Flags.string({ description: 'address to bind; anything but loopback requires the printed token', default: '127.0.0.1' }),
    open: Flags.boolean({ description: 'open the UI in a browser (best effort)' }),
    ...storeFlags,
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Ui);
    const { serveUi } = await import('../web/serve.js');
    const { contextFrom } = await import('../browse/context.js');
    await serveUi({ ctx: contextFrom(flags), host: flags.host, port: flags.port, open: flags.open });
  }
}
