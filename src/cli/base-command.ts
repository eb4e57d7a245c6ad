import { Command } from '@oclif/core';
import { formatProblem, isFlowctlError } from '../errors.js';

/**
 * Renders FlowctlErrors as plain messages (no stack) with their exit code;
 * anything else is a bug and falls through to oclif, which shows the stack.
 */
export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (isFlowctlError(err)) {
      const problems = (err as { problems?: unknown[] }).problems;
      if (!Array.isArray(problems)) {
        process.stderr.write(`error: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}\n`);
      } else {
        for (const p of problems) process.stderr.write(`${formatProblem(p as never)}\n`);
      }
      this.exit(err.exitCode);
    }
    return super.catch(err);
  }
}
