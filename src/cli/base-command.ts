import { Command } from '@oclif/core';
import { formatProblem, isFlowctlError, type Problem } from '../errors.js';

/**
 * Renders FlowctlErrors as plain messages (no stack) with their exit code; under GitHub
 * Actions as `::error` workflow commands instead (flow-file problems at their file:line:col,
 * so they show on the pull request's diff). Anything else is a bug and falls through to
 * oclif, which shows the stack.
 */
export abstract class BaseCommand extends Command {
  protected override async catch(err: Error & { exitCode?: number }): Promise<unknown> {
    if (isFlowctlError(err)) {
      const problems = (err as { problems?: unknown[] }).problems;
      const github = process.env.GITHUB_ACTIONS === 'true' ? await import('../ui/github-actions.js') : undefined;
      if (Array.isArray(problems)) {
        for (const p of problems as Problem[]) process.stderr.write(`${github ? github.problemAnnotation(p) : formatProblem(p)}\n`);
      } else if (github) {
        process.stderr.write(`${github.workflowCommand('error', { title: 'flowctl' }, `${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}`)}\n`);
      } else {
        process.stderr.write(`error: ${err.message}${err.hint ? `\n  hint: ${err.hint}` : ''}\n`);
      }
      this.exit(err.exitCode);
    }
    return super.catch(err);
  }
}
