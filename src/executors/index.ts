/** Executors by name: the one place a step's `executor:` turns into an implementation. */
import { FlowctlError } from '../errors.js';
import { LocalExecutor, type LocalExecutorOptions } from './local-process.js';
import type { Executor } from '../task/process-runner.js';

export type ExecutorName = 'local' | 'batch';

export interface ExecutorOptions {
  local?: LocalExecutorOptions;
}

/**
 * The executor for a step's `executor:` setting.
 * @example const executor = getExecutor('local', { local: { graceMs: 1000 } });
 */
export function getExecutor(name: ExecutorName, opts: ExecutorOptions = {}): Executor {
  switch (name) {
    case 'local':
      return new LocalExecutor(opts.local);
    case 'batch':
      throw new FlowctlError('EXECUTOR_UNAVAILABLE', 'The AWS Batch executor comes in a later release; this version runs steps locally only.', {
        hint: 'Remove `executor: batch` from the step (or set `executor: local`) to run it on this machine.',
      });
    default:
      throw new FlowctlError('EXECUTOR_UNAVAILABLE', `Unknown executor "${String(name)}".`, { hint: 'Use `executor: local`.' });
  }
}

export { LocalExecutor, type LocalExecutorOptions } from './local-process.js';
export type { AttemptEnd, AttemptRequest, AttemptResult, Executor } from '../task/process-runner.js';
