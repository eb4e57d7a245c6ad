/**
 * Picks the progress reporters of `run`/`resume` from the output flags and the terminal.
 * The live view is imported lazily: plain and JSON output (CI, pipes, tools) never load
 * ink or react.
 */
import type { Reporter } from '../runtime/events.js';
import { JsonReporter } from './json-reporter.js';
import { PlainReporter } from './plain-reporter.js';

export type OutputMode = 'auto' | 'live' | 'plain' | 'json';

export interface ReporterChoice {
  output: OutputMode;
  /** Only the run id and errors. */
  quiet: boolean;
  /** Task output lines: true always, false never, undefined while one task runs (plain only). */
  streamLogs?: boolean;
  timestamps: boolean;
  /** Progress goes to a terminal (stderr is a TTY and TERM is not `dumb`). */
  isTTY: boolean;
  /** Running under CI (`CI` or `CONTINUOUS_INTEGRATION` set and not `0`/`false`). */
  ci: boolean;
  /** Running under GitHub Actions (`GITHUB_ACTIONS=true`): annotations, and log groups in plain output. */
  github?: boolean;
}

/**
 * `auto` is the live view on a terminal outside CI, plain lines otherwise. `--quiet` and an
 * explicit `--stream-logs` ask for line output, so they turn `auto` (and `live`, for quiet)
 * into plain; JSON stays JSON.
 */
export function resolveOutput(o: ReporterChoice): 'live' | 'plain' | 'json' {
  if (o.output === 'json') return 'json';
  if (o.quiet) return 'plain';
  if (o.output === 'auto') return o.isTTY && !o.ci && o.streamLogs !== true ? 'live' : 'plain';
  return o.output;
}

export async function createReporters(o: ReporterChoice): Promise<Reporter[]> {
  const mode = resolveOutput(o);
  const plain = (write?: (line: string) => void) => new PlainReporter({ streamLogs: o.streamLogs, timestamps: o.timestamps, quiet: o.quiet, write });
  if (mode === 'live') {
    // No annotations here: workflow commands on stderr would tear the live view.
    const { LiveReporter } = await import('./live-reporter.js');
    return [new LiveReporter()];
  }
  if (o.github) {
    const { GitHubReporter } = await import('./github-reporter.js');
    if (mode === 'json') return [new JsonReporter({ quiet: o.quiet }), new GitHubReporter()];
    return [new GitHubReporter({ plain })];
  }
  if (mode === 'json') return [new JsonReporter({ quiet: o.quiet })];
  return [plain()];
}

/** The CI convention most tools follow (the same test ink itself applies). */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const on = (k: string) => env[k] !== undefined && env[k] !== '0' && env[k] !== 'false';
  return on('CI') || on('CONTINUOUS_INTEGRATION');
}
