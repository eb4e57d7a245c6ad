/**
 * One line per meaningful event, for CI logs and pipes: no colours, no cursor movement,
 * no escape sequence from a task's output either. Progress goes to stderr so stdout stays
 * free for the run id (scriptable).
 */
import type { Reporter, RunEvent } from '../runtime/events.js';
import { formatCounts, formatDuration, taskName } from '../term/format.js';
import { guardOutput } from './output-guard.js';
import { sanitizeLine } from '../term/sanitize.js';

export interface PlainReporterOptions {
  write?: (line: string) => void;
  /**
   * Print tasks' stdout/stderr lines, prefixed with the task name: true always, false never,
   * undefined (default) for a task that runs alone (no other task running when it started,
   * none started since), so a sequential flow reads like a log and parallel tasks never
   * interleave or show partly.
   */
  streamLogs?: boolean;
  timestamps?: boolean;
  /** Only errors: uncaught task failures and a run that did not succeed. */
  quiet?: boolean;
}

export class PlainReporter implements Reporter {
  private readonly write: (line: string) => void;
  private readonly running = new Set<string>();
  /** Running tasks that have run alone so far. */
  private readonly alone = new Set<string>();
  /** Tasks some of whose lines (current attempt) were not printed. */
  private readonly unprinted = new Set<string>();

  constructor(private readonly o: PlainReporterOptions = {}) {
    this.write = o.write ?? stderrLines();
  }

  onEvent(e: RunEvent): void {
    const line = this.o.quiet ? this.quiet(e) : this.format(e);
    if (line === undefined) return;
    const stamp = this.o.timestamps ? `${e.time} ` : '';
    for (const l of line.split('\n')) this.write(stamp + l);
  }

  private quiet(e: RunEvent): string | undefined {
    if (e.type === 'task-finished' && e.state === 'failed' && !e.caught) return this.taskFinished(e, false);
    if (e.type === 'run-finished' && (e.state !== 'succeeded' || e.error)) return this.format(e);
    return undefined;
  }

  private format(e: RunEvent): string | undefined {
    switch (e.type) {
      case 'run-started':
        return `run ${e.runId} of flow ${e.flow} started${e.originRunId ? ` (resuming ${e.originRunId})` : ''} (store: ${e.datastore})`;
      case 'step-started':
        return `step ${e.step}: started`;
      case 'step-planned':
        return e.tasks > 1 ? `step ${e.step}: ${e.tasks} tasks` : undefined;
      case 'task-started':
        this.alone.clear();
        if (this.running.size === 0) this.alone.add(taskName(e.step, e.taskId));
        this.running.add(taskName(e.step, e.taskId));
        return `task ${taskName(e.step, e.taskId)}: started${e.item !== undefined ? ` (item ${short(e.item)})` : ''}`;
      case 'attempt-started':
        this.unprinted.delete(taskName(e.step, e.taskId));
        return e.attempt > 1 ? `task ${taskName(e.step, e.taskId)}: attempt ${e.attempt}/${e.maxAttempts} (last failure: ${clean(e.lastFailure ?? 'unknown')})` : undefined;
      case 'attempt-finished':
        return e.willRetryInMs !== undefined
          ? `task ${taskName(e.step, e.taskId)}: attempt ${e.attempt} ${e.state}: ${clean(e.reason ?? '')}; retrying in ${formatDuration(e.willRetryInMs)}`
          : undefined;
      case 'log':
        return this.log(e);
      case 'task-finished': {
        const name = taskName(e.step, e.taskId);
        this.running.delete(name);
        this.alone.delete(name);
        const streamed = !this.unprinted.delete(name) && this.o.streamLogs !== false;
        return this.taskFinished(e, streamed);
      }
      case 'step-finished':
        return `step ${e.step}: ${e.state} (${formatCounts(e.counts)}) in ${formatDuration(e.durationMs)}`;
      case 'run-finished': {
        const caught = e.caughtFailures ? ` with ${e.caughtFailures} caught failure${e.caughtFailures > 1 ? 's' : ''}` : '';
        const lines = [`run ${e.runId}: ${e.state}${caught} in ${formatDuration(e.durationMs)} (${formatCounts(e.counts)})`];
        if (e.error) lines.push(`error: ${clean(e.error)}`);
        return lines.join('\n');
      }
    }
  }

  private log(e: Extract<RunEvent, { type: 'log' }>): string | undefined {
    const name = taskName(e.step, e.taskId);
    const show = this.o.streamLogs ?? this.alone.has(name);
    if (!show) {
      this.unprinted.add(name);
      return undefined;
    }
    return `${name} | ${sanitizeLine(e.line)}`;
  }

  /** `streamed`: every line of the task's last attempt was already printed. */
  private taskFinished(e: Extract<RunEvent, { type: 'task-finished' }>, streamed: boolean): string {
    const head = `task ${taskName(e.step, e.taskId)}: ${e.state}${e.caught ? ' (caught)' : ''}` +
      (e.state === 'skipped' || e.state === 'cached' ? '' : ` in ${formatDuration(e.durationMs)}`) +
      (e.cachedFrom ? ` (from ${e.cachedFrom})` : '') + (e.reason ? `: ${clean(e.reason)}` : '');
    const tail = e.lastLines?.length && !streamed ? '\n' + e.lastLines.map((l) => `  | ${sanitizeLine(l)}`).join('\n') : '';
    return head + tail;
  }
}

function clean(s: string): string {
  return s.split('\n').map((l) => sanitizeLine(l)).join(' ');
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? 'null';
  return s.length > 60 ? s.slice(0, 57) + '...' : s;
}

/** Lines to stderr, dropped once it cannot be written (see output-guard.ts). */
function stderrLines(): (line: string) => void {
  const stderr = guardOutput(process.stderr);
  return (line) => stderr.write(line + '\n');
}
