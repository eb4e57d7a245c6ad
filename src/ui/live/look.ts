/** How each step state looks: icon, colour and the word for it (so state never rests on colour alone). */
import type { StepStatus } from './state.js';
import type { Color } from './text.js';

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Look {
  icon: string;
  color: Color;
  word: string;
}

export const LOOK: Record<StepStatus, Look> = {
  pending: { icon: '○', color: 'gray', word: 'pending' },
  running: { icon: '', color: 'cyan', word: 'running' },
  retrying: { icon: '↻', color: 'yellow', word: 'retrying' },
  succeeded: { icon: '✔', color: 'green', word: 'succeeded' },
  failed: { icon: '✖', color: 'red', word: 'failed' },
  caught: { icon: '✖', color: 'yellow', word: 'failed (caught)' },
  cached: { icon: '↺', color: 'blue', word: 'cached' },
  skipped: { icon: '↷', color: 'gray', word: 'skipped' },
  interrupted: { icon: '■', color: 'yellow', word: 'interrupted' },
  stopped: { icon: '■', color: 'yellow', word: 'stopped' },
  'not-run': { icon: '○', color: 'gray', word: 'not run' },
};
