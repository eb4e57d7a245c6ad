/**
 * Candidates for shell completion of a run path (`flowctl complete PREFIX`, called by the
 * bash and zsh completion functions): flows, `FLOW/latest` and run ids, then steps, task ids
 * and output paths, one segment at a time. Reads only listings, never a log or an artifact;
 * prints nothing instead of failing (a TAB must never show an error).
 */
import type { ClientContext } from '../client/context.js';
import { parsePathspec } from '../client/pathspec.js';
import { Run } from '../client/run.js';

/** Run ids offered after `FLOW/`: the most recent ones. */
const RECENT_RUNS = 20;

/** @example await completions(ctx, 'train/la') // => ['train/latest/'] */
export async function completions(ctx: ClientContext, prefix: string): Promise<string[]> {
  try {
    const cut = prefix.lastIndexOf('/');
    const parent = cut < 0 ? '' : prefix.slice(0, cut);
    const all = await children(ctx, parent);
    return all.filter((c) => c.startsWith(prefix));
  } catch {
    return [];
  }
}

/** Every path one segment below `parent` (`''` for the top), directories ending in `/`. */
async function children(ctx: ClientContext, parent: string): Promise<string[]> {
  const store = await ctx.store();
  if (parent === '') return (await store.listFlows()).map((f) => `${f}/`);
  const p = parsePathspec(parent);
  const under = (names: string[]) => names.map((n) => `${parent}/${n}/`);
  switch (p.kind) {
    case 'flow': {
      const ids: string[] = [];
      for await (const run of Run.iterate(ctx, p.flow, {})) {
        ids.push(run.id);
        if (ids.length >= RECENT_RUNS) break;
      }
      return under(['latest', ...ids]);
    }
    case 'run':
      return under(await (await Run.resolve(ctx, p.run)).stepNames());
    case 'step':
      return under(await (await Run.resolve(ctx, p.run)).step(p.step).taskIds());
    case 'task': {
      const task = await (await Run.resolve(ctx, p.run)).step(p.step).task(p.taskId).load();
      return task.outputs.map((o) => `${parent}/${o.path}${o.type === 'dir' ? '/' : ''}`);
    }
    default:
      return [];
  }
}
