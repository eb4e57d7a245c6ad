/** `flowctl diff RUN_A RUN_B` (or `diff FLOW`: its run before the latest against the latest). */
import type { ClientContext } from '../client/context.js';
import { parsePathspec } from '../client/pathspec.js';
import { Run } from '../client/run.js';
import { ExitCode, FlowctlError } from '../errors.js';
import { shouldColor } from '../term/table.js';
import { diffRuns, type DiffJson } from './diff.js';
import { renderDiff } from './diff-text.js';
import { write } from './io.js';

export interface DiffOptions {
  /** Two runs (RUN_ID, FLOW/RUN_ID, FLOW/latest, FLOW/latest~N), or one flow name. */
  runs: string[];
  ctx: ClientContext;
  json?: boolean;
  /** List unchanged params, values, outputs and tasks too. */
  all?: boolean;
  stdout?: NodeJS.WriteStream;
}

/** Prints the comparison; resolves to it (the command turns `differ` into `--exit-code`'s status). */
export async function runDiff(o: DiffOptions): Promise<DiffJson> {
  const out = o.stdout ?? process.stdout;
  const [a, b] = await Promise.all(refs(o.runs).map((r) => Run.get(r, o.ctx)));
  const d = await diffRuns(a!, b!, { all: o.all });
  await write(out, `${o.json ? JSON.stringify(d, null, 2) : renderDiff(d, { color: shouldColor(out) })}\n`);
  return d;
}

function refs(args: string[]): [string, string] {
  if (args.length === 2) return [args[0]!, args[1]!];
  if (args.length === 1 && parsePathspec(args[0]).kind === 'flow') return [`${args[0]}/latest~1`, `${args[0]}/latest`];
  throw new FlowctlError('USAGE', `diff compares two runs: RUN_A RUN_B, or FLOW for its last two runs (got ${args.length === 1 ? JSON.stringify(args[0]) : `${args.length} arguments`})`, {
    exitCode: ExitCode.Usage, hint: 'e.g. `flowctl diff train/latest~1 train/latest`',
  });
}
