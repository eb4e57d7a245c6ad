/**
 * The progress-output flags shared by `run` and `resume`, and the bridge from parsed flags
 * to reporters: `static flags = { ...outputFlags, … }`, then `await reportersFromFlags(flags)`.
 */
import { Flags } from '@oclif/core';
import type { Reporter } from '../runtime/events.js';
import { isGitHubActions } from '../ui/github-actions.js';
import { guardStandardOutput } from '../ui/output-guard.js';
import { createReporters, isCI, resolveOutput, type OutputMode, type ReporterChoice } from '../ui/select-reporter.js';

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
  junit: Flags.string({ description: 'write a JUnit XML report to this file when the run ends (a test case per task), for CI servers' }),
};

export interface OutputFlagValues {
  output: OutputMode;
  quiet: boolean;
  'stream-logs'?: boolean;
  timestamps: boolean;
  junit?: string;
}

export function choiceFromFlags(
  flags: OutputFlagValues,
  env: NodeJS.ProcessEnv = process.env,
  stream: { isTTY?: boolean } = process.stderr,
): ReporterChoice {
  return {
    output: flags.output, quiet: flags.quiet, streamLogs: flags['stream-logs'], timestamps: flags.timestamps,
    isTTY: stream.isTTY === true && env.TERM !== 'dumb', ci: isCI(env), github: isGitHubActions(env),
  };
}

export interface SelectedReporters {
  reporters: Reporter[];
  /** What was chosen: `json` means stdout carries events, so the run id is not printed there. */
  mode: 'live' | 'plain' | 'json';
  /**
   * Closes every reporter (idempotent): call it when the run returns or throws, so a live view
   * never outlives a failed run; `error` (a run that could not start or broke) goes into reports.
   */
  close(error?: unknown): Promise<void>;
}

/** Also guards stdout and stderr: from here on, output that cannot be written is dropped, never fatal. */
export async function reportersFromFlags(flags: OutputFlagValues): Promise<SelectedReporters> {
  guardStandardOutput();
  const choice = choiceFromFlags(flags);
  // First: a bad --junit path is refused before a live view is started.
  let junit: import('../ui/junit-reporter.js').JUnitReporter | undefined;
  if (flags.junit !== undefined) {
    const { JUnitReporter } = await import('../ui/junit-reporter.js');
    junit = new JUnitReporter(flags.junit);
  }
  const reporters = [...(await createReporters(choice)), ...(junit ? [junit] : [])];
  return {
    reporters,
    mode: resolveOutput(choice),
    close: async (error?: unknown) => {
      await junit?.close(error);
      for (const r of reporters) await r.close?.();
    },
  };
}
