/**
 * How a finished run's steps ended, from its `step-started`/`step-finished` events: the only
 * record of a step that had no task (a fan-out over an empty list, a group over one, a matrix
 * with an empty axis), which the engine reports as `succeeded` although it left no task.json.
 */
import type { Run } from './run.js';
import type { StepState } from './types.js';

export interface StepEndings {
  /** Step → its `step-finished` state (`succeeded`, `failed`, `caught`, `skipped`, `interrupted`). */
  finished: Map<string, string>;
  /** Steps that emitted `step-started`. */
  started: Set<string>;
}

const ENDED: ReadonlySet<string> = new Set<StepState>(['succeeded', 'failed', 'caught', 'skipped', 'interrupted', 'cached']);

/** @internal Every step-started/step-finished event of `run` (log lines are skipped unparsed). */
export async function readStepEndings(run: Run): Promise<StepEndings> {
  const out: StepEndings = { finished: new Map(), started: new Set() };
  let from = 0;
  try {
    for (;;) {
      const page = await run.events({ from, logs: false });
      for (const e of page.events) {
        if (typeof e.step !== 'string') continue;
        if (e.type === 'step-started') out.started.add(e.step);
        else if (e.type === 'step-finished' && typeof e.state === 'string') out.finished.set(e.step, e.state);
      }
      if (!page.more || page.next === from) break;
      from = page.next;
    }
  } catch {
    // No readable events (an old or damaged run): taskless steps stay `not-run`.
  }
  return out;
}

/**
 * The state of a step with no task in a finished run: the state its own `step-finished` event
 * gives; else, for a step inside a group that never started it, the state of the nearest
 * enclosing group that ended `succeeded` or `skipped` (a group over an empty list has no
 * instance, so its steps never start); else `not-run` (the run ended before it).
 */
export function taskless(step: string, endings: StepEndings): StepState {
  const own = endings.finished.get(step);
  if (own !== undefined) return ENDED.has(own) ? (own as StepState) : 'not-run';
  if (endings.started.has(step)) return 'not-run';
  const parts = step.split('.');
  for (let n = parts.length - 1; n > 0; n--) {
    const group = endings.finished.get(parts.slice(0, n).join('.'));
    if (group === undefined) continue;
    return group === 'succeeded' || group === 'skipped' ? group : 'not-run';
  }
  return 'not-run';
}
