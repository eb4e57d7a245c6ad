/** How each step state looks: icon, colour and the word for it (so state never rests on colour alone). */

/** Terminal colours the views use. */
export type Color = 'green' | 'red' | 'yellow' | 'cyan' | 'blue' | 'magenta' | 'gray';

/** A step's state as views show it. */
/** `interrupted`: Ctrl-C ended the run while the step ran; `stopped`: a failure elsewhere ended it. */
export type StepStatus = 'pending' | 'running' | 'retrying' | 'succeeded' | 'failed' | 'caught' | 'cached' | 'skipped' | 'interrupted' | 'stopped' | 'not-run';

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
