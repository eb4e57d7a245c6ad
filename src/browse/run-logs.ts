/**
 * `flowctl logs RUN` (and RUN/STEP with --failed): every task's log, each line prefixed with
 * its task (`fit/2 | …`, as `run` prints them), steps in DAG order and tasks by id. Without
 * --stdout/--stderr a task's stdout comes first, then its stderr. Logs are streamed line by
 * line from the store, so a large log is never held whole.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable, Writable } from 'node:stream';
import { producingTask } from '../client/producer.js';
import type { Task } from '../client/task.js';
import type { LogStream } from '../client/types.js';
import { isFlowctlError } from '../errors.js';
import { write } from './io.js';
import type { LogJson } from './logs-service.js';

export interface TaskLogsOptions {
  /** Only these streams, in this order. */
  streams: LogStream[];
  attempt?: number;
  /** Only tasks that failed (caught or not) or were interrupted. */
  failed?: boolean;
  json?: boolean;
  out: Writable;
  err: Writable;
}

/** Prints the logs of `tasks` (already in order); returns how many tasks had logs. */
export async function printTaskLogs(tasks: Task[], o: TaskLogsOptions): Promise<number> {
  const logs: LogJson[] = [];
  let printed = 0;
  for (const task of o.failed ? tasks.filter(isFailed) : tasks) {
    const name = `${task.step.name}/${task.id}`;
    if (task.state === 'skipped' || task.state === 'pending') continue;
    const ran = await producer(task);
    const attempt = await ran.attempt(o.attempt).catch((e: unknown) => {
      if (!isFlowctlError(e) || e.code !== 'NOT_FOUND') throw e;
      o.err.write(`${name}: ${e.message}\n`);
      return undefined;
    });
    if (!attempt) continue;
    if (ran !== task && !o.json) o.err.write(`${name}: ${task.state}; these are the logs of ${ran.pathspec}\n`);
    printed++;
    for (const stream of o.streams) {
      if (o.json) {
        logs.push({ pathspec: task.pathspec, taskId: task.id, source: ran === task ? null : ran.pathspec, attempt: attempt.number, stream, text: await attempt.logs(stream) });
      } else {
        await writePrefixed(o.out, `${name} | `, attempt.logStream(stream));
      }
    }
  }
  if (o.json) await write(o.out, `${JSON.stringify({ kind: 'logs', logs }, null, 2)}\n`);
  return printed;
}

/** Failed (caught or not), timed out or interrupted: not successful, skipped or still going. */
export function isFailed(task: Task): boolean {
  return !['succeeded', 'cached', 'skipped', 'running', 'pending'].includes(task.state);
}

async function producer(task: Task): Promise<Task> {
  return task.finished && task.cachedFrom && task.attemptCount === 0 ? producingTask(task) : task;
}

/** Copies a log to `out` with `prefix` before every line (a last line without newline gets one). */
async function writePrefixed(out: Writable, prefix: string, log: Readable): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  const flush = async (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    if (lines.length) await write(out, lines.map((l) => `${prefix}${l}\n`).join(''));
  };
  for await (const chunk of log) await flush(decoder.write(chunk as Buffer));
  await flush(decoder.end());
  if (rest) await write(out, `${prefix}${rest}\n`);
}
