/** `flowctl graph --run RUN`: the run's DAG with each step's state, as text, Mermaid or DOT. */
import type { ClientContext } from '../client/context.js';
import { Run } from '../client/run.js';
import type { GraphFormat } from '../graph/render.js';
import { shouldColor } from '../term/table.js';
import { runState } from './format.js';
import { write } from './io.js';
import { renderRunGraph, runGraph } from './run-graph.js';

export interface RunGraphOptions {
  /** RUN_ID, FLOW/RUN_ID or FLOW/latest. */
  run: string;
  ctx: ClientContext;
  format: GraphFormat;
  stdout?: NodeJS.WriteStream;
}

export async function printRunGraph(o: RunGraphOptions): Promise<void> {
  const out = o.stdout ?? process.stdout;
  const run = await Run.get(o.run, o.ctx);
  const graph = await runGraph(run);
  const title = `flow ${run.flow} · run ${run.id} · ${runState(run.toJSON())}`;
  await write(out, renderRunGraph(graph, o.format, { color: o.format === 'text' && shouldColor(out), title }));
}
