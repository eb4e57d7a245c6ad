/**
 * Under GitHub Actions: an annotation per failed task (`::error`, `::warning` when caught)
 * with its reason and last lines, one for a run stopped by an error, and, in plain output,
 * each task's streamed lines inside a collapsible `::group::`. It wraps the plain reporter
 * and only adds lines: groups open before a task's printed output and close before anything
 * else is printed, so they never nest or interleave even when parallel tasks' lines do
 * (a task whose lines resume later gets a new group). Events arrive masked, so no secret
 * reaches an annotation.
 */
import type { Reporter, RunEvent } from '../runtime/events.js';
import { taskName } from '../term/format.js';
import { workflowCommand } from './github-actions.js';
import { sanitizeLine } from '../term/sanitize.js';

const OK_STATES = new Set(['succeeded', 'cached', 'skipped', 'running', 'pending']);

export interface GitHubReporterOptions {
  /** Where lines go (default: stderr, which the runner reads like stdout). */
  write?: (line: string) => void;
  /** The plain reporter to decorate with groups; without it only annotations are written. */
  plain?: (write: (line: string) => void) => Reporter;
}

export class GitHubReporter implements Reporter {
  private readonly write: (line: string) => void;
  private readonly inner?: Reporter;
  private event?: RunEvent;
  /** The task whose group is open. */
  private group?: string;
  private readonly grouped = new Set<string>();

  constructor(o: GitHubReporterOptions = {}) {
    this.write = o.write ?? ((line) => process.stderr.write(`${line}\n`));
    this.inner = o.plain?.((line) => this.print(line));
  }

  onEvent(e: RunEvent): void {
    this.event = e;
    try {
      this.inner?.onEvent(e);
    } finally {
      this.event = undefined;
    }
    if (e.type === 'task-finished' && !OK_STATES.has(e.state)) this.annotateTask(e);
    if (e.type === 'run-finished' && e.error) this.emit(workflowCommand('error', { title: `flowctl: run ${e.runId} stopped by an error` }, e.error));
  }

  close(): Promise<void> | void {
    this.closeGroup();
    return this.inner?.close?.();
  }

  /** A line of the plain reporter: a task's output line goes into its group, anything else outside. */
  private print(line: string): void {
    const e = this.event;
    const task = e?.type === 'log' ? taskName(e.step, e.taskId) : undefined;
    if (task !== this.group) {
      this.closeGroup();
      if (task) {
        this.write(workflowCommand('group', {}, `${task}${this.grouped.has(task) ? ' (continued)' : ''}`));
        this.grouped.add(task);
        this.group = task;
      }
    }
    this.write(line);
  }

  private annotateTask(e: Extract<RunEvent, { type: 'task-finished' }>): void {
    const name = taskName(e.step, e.taskId);
    const tail = (e.lastLines ?? []).map((l) => `  | ${sanitizeLine(l)}`);
    // `interrupted` may become a task state of its own; today it is a failure with that reason.
    const interrupted = (e.state as string) === 'interrupted' || e.reason === 'interrupted';
    const what = interrupted ? 'interrupted' : `${e.state}${e.caught ? ' (caught)' : ''}`;
    const message = [`task ${name} ${what}${e.reason && !interrupted ? `: ${e.reason}` : ''}`, ...tail].join('\n');
    this.emit(workflowCommand(e.caught || interrupted ? 'warning' : 'error', { title: `flowctl: ${name} ${interrupted ? 'interrupted' : 'failed'}` }, message));
  }

  private emit(line: string): void {
    this.closeGroup();
    this.write(line);
  }

  private closeGroup(): void {
    if (this.group === undefined) return;
    this.write(workflowCommand('endgroup'));
    this.group = undefined;
  }
}
