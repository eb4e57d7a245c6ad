import { Args, Flags } from '@oclif/core';
import { BaseCommand } from '../cli/base-command.js';
import { storeFlags } from '../cli/browse-flags.js';
import { ExitCode, FlowctlError } from '../errors.js';

export default class Graph extends BaseCommand {
  static override summary = "Print a flow's DAG as a text tree, a Mermaid flowchart or a Graphviz digraph; with --run, what a run did in each step.";
  static override description = `Validates FILE and prints its steps in dependency order. Groups are nested (subtrees in text, subgraph in Mermaid, clusters in DOT); steps that fan out are marked [foreach]/[matrix] in text and ⟳ foreach/⟳ matrix in diagrams.

With --run RUN instead of FILE (RUN_ID, FLOW/RUN_ID or FLOW/latest), draws the DAG that run recorded when it started, with each step's state, task counts and duration: a column in text (coloured on a terminal), a second line and a fill colour per state in Mermaid (classDef) and DOT.

An invalid flow prints its problems and exits 2.`;

  static override examples = [
    '<%= config.bin %> graph flows/train.yaml',
    '<%= config.bin %> graph flows/train.yaml --format mermaid > dag.mmd',
    '<%= config.bin %> graph flows/train.yaml --format dot | dot -Tsvg > dag.svg',
    '<%= config.bin %> graph --run train/latest',
    '<%= config.bin %> graph --run train/latest --format mermaid',
  ];

  static override args = {
    file: Args.string({ description: 'flow file (YAML); leave out with --run', required: false }),
  };

  static override flags = {
    format: Flags.string({ description: 'output format', options: ['text', 'mermaid', 'dot'], default: 'text' }),
    run: Flags.string({ description: "a run's DAG with each step's state: RUN_ID, FLOW/RUN_ID or FLOW/latest" }),
    ...storeFlags,
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Graph);
    const format = flags.format as 'text' | 'mermaid' | 'dot';
    if ((args.file === undefined) === (flags.run === undefined)) {
      throw new FlowctlError('USAGE', args.file ? 'give a flow FILE or --run RUN, not both' : 'give a flow FILE, or --run RUN for the DAG of a run', {
        exitCode: ExitCode.Usage, hint: 'e.g. `flowctl graph flows/train.yaml` or `flowctl graph --run train/latest`',
      });
    }
    if (flags.run !== undefined) {
      const [{ printRunGraph }, { contextFrom }] = await Promise.all([import('../browse/run-graph-service.js'), import('../browse/context.js')]);
      return printRunGraph({ run: flags.run, ctx: contextFrom(flags), format });
    }
    const [{ loadFlow }, { renderGraph }] = await Promise.all([import('../spec/load.js'), import('../graph/render.js')]);
    const spec = await loadFlow(args.file!);
    process.stdout.write(renderGraph(spec, format));
  }
}
