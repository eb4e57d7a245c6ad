/**
 * oclif `command_not_found` hook: name the closest command and exit 2 (bad usage).
 * @oclif/plugin-not-found suggests nothing without a terminal (scripts, CI) and, on one,
 * offers to run its guess, which for `flowctl rn flow.yaml` would start a pipeline.
 */
import type { Hook } from '@oclif/core';
import { closest } from '../spec/suggest.js';

const hook: Hook<'command_not_found'> = async function (opts) {
  const sep = opts.config.topicSeparator ?? ' ';
  const visible = opts.config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  // With a space as topic separator oclif joins the arguments into the id (`rnu:flow.yaml`).
  const words = opts.id.split(':');
  const typed = words.slice(0, opts.config.findTopic(words[0]!) && words.length > 1 ? 2 : 1).join(sep);
  const topics = opts.config.topics.filter((t) => !t.hidden).map((t) => t.name);
  const ids = [...visible, ...topics].map((id) => id.split(':').join(sep));
  // `tag ad` → the commands of topic `tag` first; then every command.
  const guess = closest(typed, ids) ?? closest(typed.split(sep).at(-1)!, ids);
  const bin = opts.config.bin;
  const lines = [`error: '${typed}' is not a ${bin} command.${guess ? ` Did you mean '${bin} ${guess}'?` : ''}`, `  hint: \`${bin} help\` lists the commands.`];
  process.stderr.write(lines.join('\n') + '\n');
  this.exit(2);
};

export default hook;
