/**
 * The icon and colour of a run, step, task or attempt state as `show` prints it on a terminal:
 * the live view's (src/term/look.ts), so a state looks the same wherever it appears.
 */
import { LOOK, type Look } from './look.js';
import type { StepStatus } from './look.js';

/** A running step's live icon is a spinner; a static table needs a still one. */
const RUNNING: Look = { ...LOOK.running, icon: '●' };

const ALIASES: Record<string, StepStatus | Look> = {
  'not run': 'not-run',
  'failed (caught)': 'caught',
  timeout: 'failed',
  'dead?': { icon: '✖', color: 'red', word: 'dead?' },
  damaged: { icon: '✖', color: 'red', word: 'damaged' },
};

/** @example lookOf('cached') // => { icon: '↺', color: 'blue', word: 'cached' } */
export function lookOf(state: string): Look | undefined {
  if (state === 'running') return RUNNING;
  const alias = ALIASES[state];
  if (typeof alias === 'object') return alias;
  return (LOOK as Record<string, Look | undefined>)[alias ?? state];
}

/** `✔ succeeded` on a terminal, `succeeded` otherwise (icons never go to a pipe). */
export function stateLabel(state: string, color: boolean): string {
  const look = color ? lookOf(state) : undefined;
  return look ? `${look.icon} ${state}` : state;
}
