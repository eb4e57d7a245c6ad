/**
 * oclif `command_not_found` hook: name the closest command and exit 2 (bad usage).
 * @oclif/plugin-not-found suggests nothing without a terminal (scripts, CI) and, on one,
 * offers to run its guess, which for `flowctl rn flow.yaml` would start a pipeline.
 */
import type { Hook, Interfaces } from '@oclif/core';
import { closest } from '../spec/suggest.js';

/** The visible command or topic closest to `typed` (words separated by spaces), if one is close. */
export function closestCommand(config: Interfaces.Config, typed: string): string | undefined {
  const sep = config.topicSeparator ?? ' ';
  const commands = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const topics = config.topics.filter((t) => !t.hidden).map((t) => t.name);
  const ids = [...commands, ...topics].map((id) => id.split(':').join(sep));
  // `tag ad` → `tag add`; else the last word alone (`tags` → `tag`).
  return closest(typed, ids) ?? closest(typed.split(sep).at(-1)!, ids);
}

const hook: Hook<'command_not_found'> = async function (opts) {
  const sep = opts.config.topicSeparator ?? ' ';
  // With a space as topic separator oclif joins the arguments into the id (`rnu:flow.yaml`).
  const words = opts.id.split(':');
  const typed = words.slice(0, opts.config.findTopic(words[0]!) && words.length > 1 ? 2 : 1).join(sep);
  const guess = closestCommand(opts.config, typed);
  const bin = opts.config.bin;
  process.stderr.write(`error: '${typed}' is not a ${bin} command.${guess ? ` Did you mean '${bin} ${guess}'?` : ''}\n  hint: \`${bin} help\` lists the commands.\n`);
  this.exit(2);
};

export default hook;
