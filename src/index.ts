/**
 * flowctl's package entry: the client API that reads a flowctl store (the one `flowctl show`
 * is built on). It imports neither the CLI (oclif), the live view (ink) nor the runtime.
 *
 * @example
 * import { Flow } from 'flowctl';
 * const run = await new Flow('train').latestSuccessfulRun();
 * const metrics = await run.step('fit').task(0).artifact('metrics.json').json();
 */
export * from './client/index.js';
export { ExitCode, FlowctlError, isFlowctlError } from './errors.js';
export type { AttemptRecord, OutputEntry, RunRecord, RunState, TaskRecord, TaskState } from './store/records.js';
export type { DamagedRecordError } from './store/record-check.js';
