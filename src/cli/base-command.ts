import { Command } from '@oclif/core';
import { ExitCode, formatProblem, isFlowctlError, type Problem } from '../errors.js';
import { closest } from '../spec/suggest.js';

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
    if (isParseError(err)) {
      const unknown = (err as ParseError).flags;
      const message = Array.isArray(unknown) ? unknownFlagsMessage(unknown, this.ctor.flags ?? {}) : usageMessage(err);
      process.stderr.write(`error: ${message}\n  hint: ${this.usageHint(err)}\n`);
      this.exit(ExitCode.Usage);
    }
    return super.catch(err);
  }

  private usageHint(err: ParseError): string {
    const help = `\`${this.config.bin} ${this.id?.split(':').join(' ') ?? ''} --help\` shows the usage`;
    // `--tag a b`: say that a repeatable flag takes one value per use.
    const used = Object.entries(this.ctor.flags ?? {})
      .filter(([name, f]) => f.type === 'option' && f.multiple && this.argv.some((a) => a === `--${name}` || (f.char !== undefined && a === `-${f.char}`)))
      .map(([name]) => `--${name}`);
    if (/^Unexpected argument/.test(err.message) && used.length) {
      return `${used.join(', ')} take${used.length === 1 ? 's' : ''} one value per use: repeat the flag (${used[0]} a ${used[0]} b); ${help}`;
    }
    return help;
  }
}

interface ParseError extends Error {
  /** RequiredArgsError: the missing arguments. */
  args?: Array<{ name: string; description?: string }>;
  /** NonExistentFlagsError: the unknown flags as typed (`--tagg`, `-o`, `--foo=3`). */
  flags?: string[];
}

/**
 * `unknown flag --tagg (did you mean --tag?)`, with the closest of the command's flags, as for
 * commands. A short flag the command does not have (`-o`) is matched to the one long flag that
 * starts with its letter (`--output`).
 */
function unknownFlagsMessage(typed: string[], flags: Record<string, { char?: string; hidden?: boolean; aliases?: string[] }>): string {
  const visible = Object.entries(flags).filter(([, f]) => !f.hidden);
  const longs = visible.flatMap(([name, f]) => [name, ...(f.aliases ?? [])]);
  const suggest = (flag: string): string => {
    const bare = flag.replace(/=.*$/s, '');
    const short = /^-[^-]$/.exec(bare);
    const word = bare.replace(/^-+/, '');
    const starting = short ? longs.filter((n) => n.startsWith(word)) : [];
    const guess = short ? (starting.length === 1 ? starting[0] : undefined) : closest(word, longs);
    return guess === undefined ? '' : ` (did you mean --${guess}?)`;
  };
  return `unknown flag${typed.length === 1 ? '' : 's'} ${typed.map((f) => `${f}${suggest(f)}`).join(', ')}`;
}

/** oclif's parse errors: unknown flag, missing or extra argument, bad option or flag value. */
function isParseError(e: unknown): e is ParseError {
  if (typeof e !== 'object' || e === null || typeof (e as { message?: unknown }).message !== 'string') return false;
  return 'parse' in e || /^Parsing --/.test((e as Error).message);
}

/** One or two lines, without oclif's boilerplate (and its advice to put greedy flags last, which no longer applies). */
function usageMessage(err: ParseError): string {
  if (/^Missing \d+ required arg/.test(err.message) && err.args?.length) {
    return `missing ${err.args.map((a) => `${a.name.toUpperCase()}${a.description ? `: ${a.description}` : ''}`).join('; ')}`;
  }
  return err.message
    .replace(/\nSee more help with --help$/, '')
    .replace(/^The following errors? occurred:\s*/, '')
    .replace(/^Parsing (--\S+) *\n\s*/, '$1: ')
    .trim();
}
