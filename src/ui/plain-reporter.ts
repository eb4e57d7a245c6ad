/**
 * One line per meaningful event, for CI logs and pipes: no colours, no cursor movement,
 * no escape sequence from a task's output either. Progress goes to stderr so stdout stays
 * free for the run id (scriptable).
 */
import type { Reporter, RunEvent } from '../runtime/events.js';
import type { TaskState } from '../store/records.js';
import { formatCounts, formatDuration, imageLabel, taskName } from '../term/format.js';
import { nextSteps } from './next-steps.js';
import { guardOutput } from './output-guard.js';
import { sanitizeLine } from '../term/sanitize.js';

type Counts = Partial<Record<TaskState, number>>;
type TaskFinished = Extract<RunEvent, { type: 'task-finished' }>;

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
  /** Per step: its nearest enclosing fanned-out group, for steps whose task count grows with it. */
  private readonly fannedBy = new Map<string, string>();
  private readonly groups = new Set<string>();
  private readonly announced = new Set<string>();
  /** Finished tasks by state, per step (groups count their steps' tasks). */
  private readonly counts = new Map<string, Counts>();
  private runId = '';
  private datastore?: string;
  /** The first uncaught failure, for the `logs` hint. */
  private firstFailure?: string;

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
    if (e.type === 'run-started') this.started(e);
    if (e.type === 'task-finished') this.count(e);
    if (e.type === 'task-finished' && stateOf(e) === 'failed' && !e.caught) return this.taskFinished(e, false);
    if (e.type === 'run-finished' && (e.state !== 'succeeded' || e.error)) return this.format(e);
    return undefined;
  }

  private format(e: RunEvent): string | undefined {
    switch (e.type) {
      case 'run-started':
        this.started(e);
        return `run ${e.runId} of flow ${e.flow} started${e.originRunId ? ` (resuming ${e.originRunId})` : ''} (store: ${e.datastore})`;
      case 'step-started':
        return `step ${e.step}: started`;
      case 'step-planned':
        return this.planned(e.step, e.tasks);
      case 'task-started':
        this.alone.clear();
        if (this.running.size === 0) this.alone.add(taskName(e.step, e.taskId));
        this.running.add(taskName(e.step, e.taskId));
        return `task ${taskName(e.step, e.taskId)}: started${e.item !== undefined ? ` (item ${short(e.item)})` : ''}` +
          (e.image !== undefined ? ` in ${imageLabel(e.image, e.imageDigest)}` : '');
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
        this.count(e);
        this.running.delete(name);
        this.alone.delete(name);
        const streamed = !this.unprinted.delete(name) && this.o.streamLogs !== false;
        return this.taskFinished(e, streamed);
      }
      case 'step-finished': {
        const counts = this.groups.has(e.step) ? this.counts.get(e.step) ?? {} : e.counts;
        return `step ${e.step}: ${e.state} (${formatCounts(counts)}) in ${formatDuration(e.durationMs)}`;
      }
      case 'run-finished':
        return this.runFinished(e);
      case 'warning':
        return `warning: ${clean(e.message)}`;
      case 'attempt-status':
        // One line per remote attempt (its job id), not per move through Batch's queue.
        return e.status === 'submitted' ? `task ${taskName(e.step, e.taskId)}: submitted to AWS Batch (job ${clean(e.jobId)})` : undefined;
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

  private started(e: Extract<RunEvent, { type: 'run-started' }>): void {
    this.runId = e.runId;
    this.datastore = e.datastore;
    const fanned = new Map<string, string | undefined>();
    for (const s of e.steps) {
      if (s.parent === undefined) continue;
      this.groups.add(s.parent);
      // The nearest enclosing group that fans out, if any: this step gets a task per item of it.
      const by = e.steps.find((x) => x.step === s.parent)?.foreach ? s.parent : fanned.get(s.parent);
      fanned.set(s.step, by);
      if (by) this.fannedBy.set(s.step, by);
    }
  }

  /** One line per step: a step in a fanned-out group gains tasks as the group's items start, so its count is not news. */
  private planned(step: string, tasks: number): string | undefined {
    const by = this.fannedBy.get(step);
    if (by === undefined) return tasks > 1 ? `step ${step}: ${tasks} tasks` : undefined;
    if (this.announced.has(step) || this.groups.has(step)) return undefined;
    this.announced.add(step);
    return `step ${step}: tasks for each item of ${by}`;
  }

  private count(e: TaskFinished): void {
    const state = stateOf(e);
    if (state === 'failed' && !e.caught && !this.firstFailure) this.firstFailure = taskName(e.step, e.taskId);
    // The step and every group around it.
    for (let s: string | undefined = e.step; s; s = s.includes('.') ? s.slice(0, s.lastIndexOf('.')) : undefined) {
      const c = this.counts.get(s) ?? {};
      c[state] = (c[state] ?? 0) + 1;
      this.counts.set(s, c);
    }
  }

  private runFinished(e: Extract<RunEvent, { type: 'run-finished' }>): string {
    const caught = e.caughtFailures ? ` with ${e.caughtFailures} caught failure${e.caughtFailures > 1 ? 's' : ''}` : '';
    const lines = [`run ${e.runId}: ${e.state}${caught} in ${formatDuration(e.durationMs)} (${formatCounts(e.counts)})`];
    if (e.error) lines.push(`error: ${clean(e.error)}`);
    if (e.state !== 'succeeded') {
      const hints = nextSteps({ runId: this.runId || e.runId, datastore: this.datastore, failedTask: this.firstFailure, resumable: true });
      const width = Math.max(...hints.map((h) => h.label.length));
      for (const h of hints) lines.push(`  ${h.label.padEnd(width)}  ${h.command}`);
    }
    return lines.join('\n');
  }

  /** `streamed`: every line of the task's last attempt was already printed. */
  private taskFinished(e: TaskFinished, streamed: boolean): string {
    if (stateOf(e) === 'interrupted') return `task ${taskName(e.step, e.taskId)}: interrupted after ${formatDuration(e.durationMs)}`;
    const head = `task ${taskName(e.step, e.taskId)}: ${e.state}${e.caught ? ' (caught)' : ''}` +
      (e.state === 'skipped' || e.state === 'cached' ? '' : ` in ${formatDuration(e.durationMs)}`) +
      (e.cachedFrom ? ` (from ${e.cachedFrom})` : '') + (e.reason ? `: ${clean(e.reason)}` : '');
    const tail = e.lastLines?.length && !streamed ? '\n' + e.lastLines.map((l) => `  | ${sanitizeLine(l)}`).join('\n') : '';
    return head + tail;
  }
}

/** Events of older runs said `failed` with reason `interrupted`. */
function stateOf(e: TaskFinished): TaskState {
  return e.state === 'failed' && e.reason === 'interrupted' ? 'interrupted' : e.state;
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
