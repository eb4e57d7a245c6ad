import { Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';

export default class Schema extends BaseCommand {
  static override summary = 'Print the JSON Schema of flow files (spec v1).';
  static override description = `The schema is the reference for the flow syntax; every key has a description. Point your editor at it for completion and checks: with the YAML language server, start a flow file with

  # yaml-language-server: $schema=<path printed by --path>`;

  static override examples = [
    '<%= config.bin %> schema',
    '<%= config.bin %> schema > flow.schema.json',
    '<%= config.bin %> schema --path',
  ];

  static override flags = {
    path: Flags.boolean({ description: 'print the path of the schema file instead of its content' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Schema);
    const { flowSchemaText, FLOW_SCHEMA_PATH } = await import('../spec/schema.js');
    process.stdout.write(flags.path ? `${FLOW_SCHEMA_PATH}\n` : flowSchemaText());
  }
}
