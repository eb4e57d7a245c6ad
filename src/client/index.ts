/** The client API: browse the runs of a flowctl store from TypeScript/JavaScript. */
export { Artifact } from './artifact.js';
export { Attempt } from './attempt.js';
export { currentUser, datastore, defaultNamespace, getDatastore, getNamespace, namespace } from './config.js';
export { ClientContext, STALE_AFTER_MS, type ClientOptions } from './context.js';
export type { EventsPage, EventsReadOptions, RunEventJson } from './events.js';
export { Flow, listFlows } from './flow.js';
export type { FollowOptions, LogChunk } from './follow.js';
export { parsePathspec, type Pathspec, type RunRef } from './pathspec.js';
export type { PlannedStepJson } from './plan.js';
export { producingTask } from './producer.js';
export { Run } from './run.js';
export { Step } from './step.js';
export { Task } from './task.js';
export type * from './types.js';
