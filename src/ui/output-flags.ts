/**
 * The progress-output flags shared by `run` and `resume`, and the bridge from parsed flags
 * to reporters: `static flags = { ...outputFlags, … }`, then `await reportersFromFlags(flags)`.
 */
import { Flags } from '@oclif/core';
import type { Reporter } from '../runtime/events.js';
import { createReporters, isCI, resolveOutput, type OutputMode, type ReporterChoice } from './select-reporter.js';

export const outputFlags = {
  // No short flag: `-o` is a file to write to (`show -o FILE`), one meaning across commands.
  output: Flags.option({
    options: ['auto', 'live', 'plain', 'json'] as const,
    default: 'auto' as const,
    description: 'progress on stderr: auto (live view on a terminal, plain lines in CI or a pipe), live, plain; or json (NDJSON events on stdout)',
  })(),
  quiet: Flags.boolean({ char: 'q', description: 'print only the run id and errors' }),
  'stream-logs': Flags.boolean({
    allowNo: true,
    description: 'print task output lines prefixed with the task name (plain output; default: while only one task runs)',
  }),
  timestamps: Flags.boolean({ description: 'prefix plain progress lines with an ISO timestamp' }),
};

export interface OutputFlagValues {
  output: OutputMode;
  quiet: boolean;
  'stream-logs'?: boolean;
  timestamps: boolean;
}

export function choiceFromFlags(
  flags: OutputFlagValues,
  env: NodeJS.ProcessEnv = process.env,
  stream: { isTTY?: boolean } = process.stderr,
): ReporterChoice {
  return {
    output: flags.output, quiet: flags.quiet, streamLogs: flags['stream-logs'], timestamps: flags.timestamps,
    isTTY: stream.isTTY === true && env.TERM !== 'dumb', ci: isCI(env),
  };
}

export interface SelectedReporters {
  reporters: Reporter[];
  /** What was chosen: `json` means stdout carries events, so the run id is not printed there. */
  mode: 'live' | 'plain' | 'json';
  /** Closes every reporter (idempotent): call it in a `finally`, so a live view never outlives a failed run. */
  close(): Promise<void>;
}

export async function reportersFromFlags(flags: OutputFlagValues): Promise<SelectedReporters> {
  const choice = choiceFromFlags(flags);
  const reporters = await createReporters(choice);
  return {
    reporters,
    mode: resolveOutput(choice),
    close: async () => {
      for (const r of reporters) await r.close?.();
    },
  };
}
