/** The last lines of a finished attempt's log, read from its end (a long log is not read whole). */
import type { LogStream, Task } from '../client/index.js';

const TAIL_BYTES = 16 * 1024;

/** The last `lines` lines of the task's latest attempt (or `attempt`); [] when it has none. */
export async function logTail(task: Task, stream: LogStream, lines: number, attempt = task.attemptCount): Promise<string[]> {
  if (attempt < 1) return [];
  const parts: Buffer[] = [];
  const ac = new AbortController();
  try {
    for await (const c of task.followLogs({ stream, attempt, tailBytes: TAIL_BYTES, pollMs: 50, signal: ac.signal })) {
      if (c.type === 'data') parts.push(c.data);
      if (c.type === 'end') break;
    }
  } catch {
    return []; // a missing or unreadable log shows no lines rather than failing the page
  } finally {
    ac.abort();
  }
  const text = Buffer.concat(parts).toString('utf8').replace(/\n$/, '');
  return text === '' ? [] : text.split('\n').slice(-lines);
}
