/**
 * The runs and tasks that requests name (in the path, or in the query: flow, run, step, task),
 * checked to be single names before they reach the store: a name never walks out of its place
 * in the store's layout (`..`, `/`).
 */
import type { Context } from 'hono';
import { Flow, type ClientContext, type LogStream, type Run, type Task } from '../../client/index.js';
import { ExitCode, FlowctlError } from '../../errors.js';

const FLOW = /^[a-z][a-z0-9_-]*$/i;
const NAME = /^(?!\.{1,2}$)[^/\\\0]+$/;

function checked(what: string, value: string, re: RegExp): string {
  if (!re.test(value)) throw new FlowctlError('USAGE', `Not a ${what}: ${JSON.stringify(value)}`, { exitCode: ExitCode.Usage });
  return value;
}

/** A flow by name (not checked to exist). */
export function flowOf(all: ClientContext, flow: string): Flow {
  return new Flow(checked('flow name', flow, FLOW), all);
}

/** A run by flow and run id (or `latest`), in any namespace. */
export function runOf(all: ClientContext, flow: string, runId: string): Promise<Run> {
  return flowOf(all, flow).run(checked('run id', runId, NAME));
}

/** A task of a run, loaded. */
export async function taskIn(run: Run, step: string, taskId: string): Promise<Task> {
  return run.step(checked('step name', step, NAME)).task(checked('task id', taskId, NAME)).load();
}

/** The task named by the query's flow, run, step and task (400 when one is missing or not a name). */
export async function taskOf(c: Context, all: ClientContext): Promise<Task> {
  const q = (name: string): string => {
    const v = c.req.query(name);
    if (!v) throw new FlowctlError('USAGE', `Missing query parameter "${name}" (flow, run, step and task name the task)`, { exitCode: ExitCode.Usage });
    return v;
  };
  return taskIn(await runOf(all, q('flow'), q('run')), q('step'), q('task'));
}

/** `stream` of the query: stdout (default) or stderr. */
export function streamOf(c: Context): LogStream {
  const s = c.req.query('stream') ?? 'stdout';
  if (s !== 'stdout' && s !== 'stderr') throw new FlowctlError('USAGE', `stream must be stdout or stderr, not ${JSON.stringify(s)}`, { exitCode: ExitCode.Usage });
  return s;
}

/** `attempt` of the query, when given. */
export function attemptOf(c: Context): number | undefined {
  const a = c.req.query('attempt');
  if (a === undefined || a === '') return undefined;
  const n = Number(a);
  if (!Number.isInteger(n) || n < 1) throw new FlowctlError('USAGE', `attempt must be a positive integer, not ${JSON.stringify(a)}`, { exitCode: ExitCode.Usage });
  return n;
}
