/**
 * `flowctl logs RUN/STEP[/TASK]`: print an attempt's stdout (or stderr), every task's when no
 * TASK is given, or follow a task's log as it is written until the task finishes. `logs RUN`
 * and `--failed` print every (failed) task's lines prefixed with the task (run-logs.ts).
 */
import type { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientContext } from '../client/context.js';
import { parsePathspec } from '../client/pathspec.js';
import { producingTask } from '../client/producer.js';
import { Run } from '../client/run.js';
import type { Task } from '../client/task.js';
import type { LogStream } from '../client/types.js';
import { ExitCode, FlowctlError, isFlowctlError } from '../errors.js';
import { write } from './io.js';

export interface LogsOptions {
  path: string;
  ctx: ClientContext;
  attempt?: number;
  /** Default: stdout; both (stdout first) for a whole run or --failed. */
  stream?: LogStream;
  follow?: boolean;
  /** Only failed tasks, lines prefixed with the task (RUN or RUN/STEP). */
  failed?: boolean;
  json?: boolean;
  pollMs?: number;
  stdout?: Writable;
  stderr?: Writable;
}

/** `--json`: `{ kind: 'logs', logs: LogJson[] }`. */
export interface LogJson {
  pathspec: string;
  taskId: string;
  /** For a cached or resumed task: the task that ran and wrote these logs; null otherwise. */
  source: string | null;
  attempt: number;
  stream: LogStream;
  text: string;
}

export async function runLogs(o: LogsOptions): Promise<void> {
  const out = o.stdout ?? process.stdout;
  const err = o.stderr ?? process.stderr;
  const p = parsePathspec(o.path);
  if (p.kind !== 'run' && p.kind !== 'step' && p.kind !== 'task') throw usage(`logs takes RUN, RUN/STEP or RUN/STEP/TASK (got ${JSON.stringify(o.path)})`);
  if (o.follow && o.json) throw usage('--json cannot be combined with --follow');
  if (o.follow && (p.kind === 'run' || o.failed)) throw usage('--follow follows one task: give RUN/STEP/TASK (or RUN/STEP of a step with one task)');
  if (o.failed && p.kind === 'task') throw usage('--failed picks the failed tasks of a run or a step: give RUN or RUN/STEP');
  const run = await Run.resolve(o.ctx, p.run);
  if (p.kind === 'run' || o.failed) {
    const [{ printTaskLogs }, { stepsInOrder }] = await Promise.all([import('./run-logs.js'), import('./run-steps.js')]);
    const steps = p.kind === 'run' ? await stepsInOrder(run) : [run.step(p.step)];
    const tasks = (await Promise.all(steps.map((s) => s.tasks()))).flat();
    const printed = await printTaskLogs(tasks, {
      streams: o.stream ? [o.stream] : ['stdout', 'stderr'], attempt: o.attempt, failed: o.failed, json: o.json, out, err,
    });
    if (printed === 0 && !o.json) err.write(`${p.kind === 'run' ? `Run ${run.pathspec}` : `Step ${run.pathspec}/${p.step}`} has no ${o.failed ? 'failed tasks' : 'task logs'}\n`);
    return;
  }
  const stream = o.stream ?? 'stdout';
  const step = run.step(p.step);

  if (o.follow) {
    let id = p.kind === 'task' ? p.taskId : undefined;
    if (id === undefined) {
      const ids = await step.taskIds();
      if (ids.length !== 1) {
        throw usage(ids.length === 0 ? `Step ${step.pathspec} has no tasks yet: give RUN/STEP/TASK to wait for one`
          : `Step ${step.pathspec} has ${ids.length} tasks (${ids.slice(0, 10).join(', ')}${ids.length > 10 ? ', …' : ''}): follow one, e.g. ${step.pathspec}/${ids[0]}`);
      }
      id = ids[0]!;
    }
    const task = await waitForTask(step.task(id), err, o.pollMs);
    return follow(await producer(task, err), { ...o, stream }, out, err);
  }

  const tasks = p.kind === 'task' ? [await step.task(p.taskId).load()] : await step.tasks();
  const logs: LogJson[] = [];
  let printed = 0;
  for (const requested of tasks) {
    const task = await producer(requested, o.json || tasks.length > 1 ? undefined : err);
    let attempt;
    try {
      attempt = await task.attempt(o.attempt);
    } catch (e) {
      // With several tasks, one without logs (cached, skipped) is noted, not fatal.
      if (tasks.length === 1 || !isFlowctlError(e) || e.code !== 'NOT_FOUND') throw e;
      err.write(`${e.message}\n`);
      continue;
    }
    if (o.json) {
      logs.push({
        pathspec: requested.pathspec, taskId: requested.id, source: task === requested ? null : task.pathspec, attempt: attempt.number,
        stream, text: await attempt.logs(stream),
      });
      continue;
    }
    const from = task === requested ? '' : `, from ${task.pathspec}`;
    if (tasks.length > 1) await write(out, `${printed++ ? '\n' : ''}==> ${requested.pathspec} (attempt ${attempt.number}, ${stream}${from}) <==\n`);
    for await (const chunk of attempt.logStream(stream)) await write(out, chunk as Buffer);
  }
  if (o.json) await write(out, `${JSON.stringify({ kind: 'logs', logs }, null, 2)}\n`);
}

/** A finished task reused from another run (cache hit, resume) has no attempts of its own: its logs are the producer's. */
async function producer(task: Task, note?: Writable): Promise<Task> {
  if (!task.finished || !task.cachedFrom || task.attemptCount > 0) return task;
  const ran = await producingTask(task);
  if (ran !== task) note?.write(`${task.pathspec} was ${task.state} from ${ran.pathspec}; showing its logs\n`);
  return ran;
}

/** A task that has not started yet is waited for while its run is alive. */
async function waitForTask(task: Task, err: Writable, pollMs = 300): Promise<Task> {
  let noted = false;
  for (;;) {
    try {
      return await task.load();
    } catch (e) {
      if (!isFlowctlError(e) || e.code !== 'NOT_FOUND') throw e;
      await task.run.requireStep(task.step.name);
      const run = await task.run.refresh();
      if (run.finished || run.stale) throw e;
      if (!noted) err.write(`waiting for ${task.pathspec} to start…\n`);
      noted = true;
      await sleep(pollMs);
      task = run.step(task.step.name).task(task.id);
    }
  }
}

async function follow(task: Task, o: LogsOptions & { stream: LogStream }, out: Writable, err: Writable): Promise<void> {
  let first: number | undefined;
  for await (const c of task.followLogs({ stream: o.stream, attempt: o.attempt, pollMs: o.pollMs })) {
    if (c.type === 'attempt') {
      if (first !== undefined) err.write(`--- ${task.pathspec}: attempt ${c.attempt} ---\n`);
      first ??= c.attempt;
    } else if (c.type === 'data') {
      await write(out, c.data);
    } else if (c.type === 'end') {
      if (c.reason === 'run-dead') err.write(`warning: run ${task.run.pathspec} stopped heartbeating (it may have died); stopped following\n`);
      else if (c.reason === 'run-ended') err.write(`run ${task.run.pathspec} ended (${c.state}) before ${task.pathspec} finished\n`);
      else if (c.reason === 'task-finished' && first === undefined) err.write(`${task.pathspec} ${c.state} without attempts: no logs\n`);
    }
  }
}


function usage(message: string): FlowctlError {
  return new FlowctlError('USAGE', message, { exitCode: ExitCode.Usage });
}
