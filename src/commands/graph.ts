import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';

export default class Graph extends BaseCommand {
  static override summary = "Print a flow's DAG as a text tree, a Mermaid flowchart or a Graphviz digraph.";
  static override description = `Validates FILE and prints its steps in dependency order. Groups are nested (subtrees in text, subgraph in Mermaid, clusters in DOT); steps that fan out are marked [foreach]/[matrix] in text and ⟳ foreach/⟳ matrix in diagrams.

An invalid flow prints its problems and exits 2.`;

  static override examples = [
    '<%= config.bin %> graph flows/train.yaml',
    '<%= config.bin %> graph flows/train.yaml --format mermaid > dag.mmd',
    '<%= config.bin %> graph flows/train.yaml --format dot | dot -Tsvg > dag.svg',
  ];

  static override args = {
    file: Args.string({ description: 'flow file (YAML)', required: true }),
  };

  static override flags = {
    format: Flags.string({ description: 'output format', options: ['text', 'mermaid', 'dot'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Graph);
    const [{ loadFlow }, { renderGraph }] = await Promise.all([import('../spec/load.js'), import('../graph/render.js')]);
    const spec = await loadFlow(args.file);
    process.stdout.write(renderGraph(spec, flags.format as 'text' | 'mermaid' | 'dot'));
  }
}
