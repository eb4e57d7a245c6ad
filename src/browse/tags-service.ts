/** `flowctl tag add|remove|list RUN [TAG…]`, over `Run.addTags()` / `removeTags()`. */
import type { Writable } from 'node:stream';
import type { ClientContext } from '../client/context.js';
import { parsePathspec } from '../client/pathspec.js';
import { Run } from '../client/run.js';
import { ExitCode, FlowctlError } from '../errors.js';
import { write } from './io.js';

export interface TagOptions {
  action: 'add' | 'remove' | 'list';
  run: string;
  tags?: string[];
  ctx: ClientContext;
  json?: boolean;
  stdout?: Writable;
  stderr?: Writable;
}

/** `--json`: the run's tags after the command. */
export interface TagsJson {
  kind: 'tags';
  run: string;
  flow: string;
  runId: string;
  tags: string[];
}

export async function runTag(o: TagOptions): Promise<void> {
  const out = o.stdout ?? process.stdout;
  const err = o.stderr ?? process.stderr;
  const p = parsePathspec(o.run);
  if (p.kind !== 'run') {
    throw new FlowctlError('USAGE', `tag takes a run: RUN_ID, FLOW/RUN_ID or FLOW/latest (got ${JSON.stringify(o.run)})`, { exitCode: ExitCode.Usage });
  }
  let run = await Run.resolve(o.ctx, p.run);
  const tags = o.tags ?? [];
  // `tag add RUN_A RUN_B best` reads as tagging two runs; it would tag RUN_A with RUN_B's name.
  const runLike = tags.filter((t) => looksLikeRun(t) && !(o.action === 'remove' && run.tags.includes(t)));
  if (runLike.length > 0 && o.action !== 'list') {
    throw new FlowctlError('BAD_TAG', `'${runLike[0]}' looks like a run, not a tag: tag ${o.action} takes one RUN, then tags`, {
      exitCode: ExitCode.Usage,
      hint: `${o.action} tags on each run with its own command: \`flowctl tag ${o.action} ${runLike[0]} ${tags.filter((t) => !runLike.includes(t)).join(' ') || 'TAG'}\``,
    });
  }
  if (o.action === 'add') {
    run = await run.addTags(...tags);
  } else if (o.action === 'remove') {
    const missing = tags.filter((t) => !run.tags.includes(t));
    run = await run.removeTags(...tags);
    for (const t of missing) err.write(`note: run ${run.pathspec} had no tag '${t}'\n`);
  }
  const view: TagsJson = { kind: 'tags', run: run.pathspec, flow: run.flow, runId: run.id, tags: [...run.tags] };
  await write(out, o.json ? `${JSON.stringify(view, null, 2)}\n` : run.tags.map((t) => `${t}\n`).join(''));
  if (!o.json && o.action !== 'list' && run.tags.length === 0) err.write(`run ${run.pathspec} has no tags\n`);
}

/** A run path (`train/latest`, `train/2026…`) or a bare run id (`20261126T132857.867Z-vx1m5x`). */
function looksLikeRun(tag: string): boolean {
  return tag.includes('/') || /^\d{8}T\d{6}(\.\d+)?Z(-|$)/.test(tag);
}
