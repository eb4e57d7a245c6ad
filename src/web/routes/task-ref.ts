/** The task (or its attempt's log) that a files or logs request names in its query: flow, run, step, task. */
import type { Context } from 'hono';
import { Flow, type ClientContext, type LogStream, type Task } from '../../client/index.js';
import { ExitCode, FlowctlError } from '../../errors.js';

export async function taskOf(c: Context, all: ClientContext): Promise<Task> {
  const q = (name: string): string => {
    const v = c.req.query(name);
    if (!v) throw new FlowctlError('USAGE', `Missing query parameter "${name}" (flow, run, step and task name the task)`, { exitCode: ExitCode.Usage });
    return v;
  };
  const run = await new Flow(q('flow'), all).run(q('run'));
  return run.step(q('step')).task(q('task')).load();
}

export function streamOf(c: Context): LogStream {
  const s = c.req.query('stream') ?? 'stdout';
  if (s !== 'stdout' && s !== 'stderr') throw new FlowctlError('USAGE', `stream must be stdout or stderr, not ${JSON.stringify(s)}`, { exitCode: ExitCode.Usage });
  return s;
}

export function attemptOf(c: Context): number | undefined {
  const a = c.req.query('attempt');
  if (a === undefined || a === '') return undefined;
  const n = Number(a);
  if (!Number.isInteger(n) || n < 1) throw new FlowctlError('USAGE', `attempt must be a positive integer, not ${JSON.stringify(a)}`, { exitCode: ExitCode.Usage });
  return n;
}
