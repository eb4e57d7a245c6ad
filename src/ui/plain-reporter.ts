/**
 * One line per meaningful event, for CI logs and pipes: no colours, no cursor movement.
 * Progress goes to stderr so stdout stays free for the run id (scriptable).
 */
import type { Reporter, RunEvent } from '../runtime/events.js';
import { formatCounts, formatDuration, taskName } from './format.js';

export interface PlainReporterOptions {
  write?: (line: string) => void;
  /** Print every task's stdout/stderr lines, prefixed with the task name. */
  streamLogs?: boolean;
  timestamps?: boolean;
}

export class PlainReporter implements Reporter {
  private readonly write: (line: string) => void;
  private flow = '';

  constructor(private readonly o: PlainReporterOptions = {}) {
    this.write = o.write ?? ((line) => process.stderr.write(line + '\n'));
  }

  onEvent(e: RunEvent): void {
    const line = this.format(e);
    if (line === undefined) return;
    const stamp = this.o.timestamps ? `${e.time} ` : '';
    for (const l of line.split('\n')) this.write(stamp + l);
  }

  private format(e: RunEvent): string | undefined {
    switch (e.type) {
      case 'run-started':
        this.flow = e.flow;
        return `run ${e.runId} of flow ${e.flow} started${e.originRunId ? ` (resuming ${e.originRunId})` : ''} (store: ${e.datastore})`;
      case 'step-started':
        return `step ${e.step}: started`;
      case 'step-planned':
        return e.tasks > 1 ? `step ${e.step}: ${e.tasks} tasks` : undefined;
      case 'task-started':
        return `task ${taskName(e.step, e.taskId)}: started${e.item !== undefined ? ` (item ${short(e.item)})` : ''}`;
      case 'attempt-started':
        return e.attempt > 1 ? `task ${taskName(e.step, e.taskId)}: attempt ${e.attempt}/${e.maxAttempts} (last failure: ${e.lastFailure ?? 'unknown'})` : undefined;
      case 'attempt-finished':
        return e.willRetryInMs !== undefined
          ? `task ${taskName(e.step, e.taskId)}: attempt ${e.attempt} ${e.state}: ${e.reason ?? ''}; retrying in ${formatDuration(e.willRetryInMs)}`
          : undefined;
      case 'log':
        return this.o.streamLogs ? `${taskName(e.step, e.taskId)} | ${e.line}` : undefined;
      case 'task-finished': {
        const head = `task ${taskName(e.step, e.taskId)}: ${e.state}${e.caught ? ' (caught)' : ''}` +
          (e.state === 'skipped' ? '' : ` in ${formatDuration(e.durationMs)}`) + (e.reason ? `: ${e.reason}` : '');
        const tail = e.lastLines?.length && !this.o.streamLogs ? '\n' + e.lastLines.map((l) => `  | ${l}`).join('\n') : '';
        return head + tail;
      }
      case 'step-finished':
        return `step ${e.step}: ${e.state} (${formatCounts(e.counts)}) in ${formatDuration(e.durationMs)}`;
      case 'run-finished': {
        const caught = e.caughtFailures ? ` with ${e.caughtFailures} caught failure${e.caughtFailures > 1 ? 's' : ''}` : '';
        const lines = [`run ${e.runId}: ${e.state}${caught} in ${formatDuration(e.durationMs)} (${formatCounts(e.counts)})`];
        if (e.error) lines.push(`error: ${e.error}`);
        return lines.join('\n');
      }
    }
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'null';
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}
