/**
 * Why a task ran instead of being reused: its cache key's parts (task.json `keyParts`) against
 * those of the same task in the most recent earlier run that has it, part by part
 * (`command`, `params.lr`, `input clean.csv`, …). Read-only, over the client API.
 */
import { Flow, type Task } from '../client/index.js';
import type { TaskKeyParts } from '../store/records.js';

/** Earlier runs looked at, most recent first. */
const LOOK_BACK = 30;

export interface WhyNotCached {
  /** The earlier task compared with. */
  comparedWith: { pathspec: string; runId: string; step: string; taskId: string; state: string };
  /** Parts of the key that differ; empty when the keys are equal (caching was off, or the earlier task could not be reused). */
  differences: string[];
  sameKey: boolean;
}

/** Null when the task was reused, has no key parts, or no earlier run has this task. */
export async function whyNotCached(task: Task): Promise<WhyNotCached | null> {
  const parts = task.record?.keyParts;
  if (!parts || task.record?.reuse || !task.finished) return null;
  const flow = new Flow(task.run.flow, task.run.ctx.withNamespace(null));
  let seen = 0;
  for await (const run of flow.iterRuns()) {
    if (run.id >= task.run.id) continue;
    if (++seen > LOOK_BACK) break;
    const earlier = await run.step(task.step.name).task(task.id).load().catch(() => undefined);
    const theirs = earlier?.record?.keyParts;
    if (!earlier || !theirs || !earlier.successful) continue;
    return {
      comparedWith: { pathspec: earlier.pathspec, runId: run.id, step: earlier.step.name, taskId: earlier.id, state: earlier.state },
      differences: diffParts(theirs, parts),
      sameKey: earlier.record?.cacheKey === task.record?.cacheKey,
    };
  }
  return null;
}

/** Names of the parts that differ between two keys, maps entry by entry. */
export function diffParts(a: TaskKeyParts, b: TaskKeyParts): string[] {
  const out: string[] = [];
  const maps = { env: 'env.', params: 'params.', inputs: 'input ' } as const;
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof TaskKeyParts>) {
    if (k in maps) {
      const x = (a[k] ?? {}) as Record<string, string>;
      const y = (b[k] ?? {}) as Record<string, string>;
      for (const name of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
        if (x[name] !== y[name]) out.push(`${maps[k as keyof typeof maps]}${name}${!(name in x) ? ' (new)' : !(name in y) ? ' (gone)' : ''}`);
      }
    } else if (JSON.stringify(a[k] ?? null) !== JSON.stringify(b[k] ?? null)) {
      out.push(k === 'v' ? 'key format' : k);
    }
  }
  return out;
}
