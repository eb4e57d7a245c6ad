/** A step of a run: its tasks and a summary of their states. */
import { mapLimit } from '../store/fs-util.js';
import { nearby, notFound } from './errors.js';
import { taskless } from './step-endings.js';
import type { Run } from './run.js';
import { Task } from './task.js';
import type { StepJson, StepState, TaskStatus } from './types.js';

const PARALLEL = 32;

export class Step {
  /** Use `run.step(name)` or `run.steps()`. */
  constructor(readonly run: Run, readonly name: string) {}

  /** `train/20261126T132857.867Z-vx1m5x/fit` */
  get pathspec(): string {
    return `${this.run.pathspec}/${this.name}`;
  }

  /**
   * Every task of the step, loaded, in index order (`2` before `10`); a task whose task.json
   * cannot be read is in the list with state `damaged` and its `damage`.
   * @example for (const t of await run.step('fit').tasks()) console.log(t.id, t.state, t.values);
   */
  async tasks(): Promise<Task[]> {
    const ids = await this.taskIds();
    return mapLimit(ids, PARALLEL, (id) => new Task(this, id).read());
  }

  /** A task by id (`0`, `3`, `2.1.5`), checked when first read. @example await run.step('fit').task(0).artifact('metrics.json').json() */
  task(id: string | number): Task {
    return new Task(this, String(id));
  }

  /** Task ids in index order; NOT_FOUND naming the run's steps when the step is unknown. */
  async taskIds(): Promise<string[]> {
    const store = await this.run.ctx.store();
    const ids = await store.listTasks(this.run.flow, this.run.id, this.name);
    if (ids.length === 0) await this.run.requireStep(this.name);
    return ids;
  }

  /** @internal NOT_FOUND naming the step's tasks unless `id` is one. */
  async requireTask(id: string): Promise<never> {
    const ids = await this.taskIds();
    throw notFound(`Step ${this.pathspec} has no task '${id}'${nearby('tasks', ids, id, { suggest: false })}`);
  }

  /**
   * State, task count by state and timing of the step. A step with no task in a finished run
   * (a fan-out over an empty list) takes its state from the run's events, as the run saw it.
   */
  async summary(tasks?: Task[]): Promise<StepJson> {
    const list = tasks ?? (await this.tasks());
    const empty = list.length === 0 && this.run.finished ? taskless(this.name, await this.run.stepEndings()) : undefined;
    return summarizeStep(this, list, empty);
  }
}

/** `tasklessState`: the state of a step without tasks in a finished run (see Step.summary); default `not-run`. */
function summarizeStep(step: Step, tasks: Task[], tasklessState?: StepState): StepJson {
  const counts: Partial<Record<TaskStatus, number>> = {};
  for (const t of tasks) counts[t.state] = (counts[t.state] ?? 0) + 1;
  const starts = tasks.map((t) => t.record?.startedAt).filter((s): s is string => !!s).sort();
  const ends = tasks.map((t) => t.record?.finishedAt).filter((s): s is string => !!s).sort();
  const done = tasks.length > 0 && tasks.every((t) => t.finished);
  const startedAt = starts[0] ?? null;
  const finishedAt = done ? ends.at(-1) ?? null : null;
  return {
    pathspec: step.pathspec, step: step.name, state: stepState(step.run.finished, tasks, tasklessState), tasks: tasks.length, counts,
    startedAt, finishedAt, durationMs: startedAt && finishedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : null,
  };
}

function stepState(runFinished: boolean, tasks: Task[], taskless: StepState = 'not-run'): StepState {
  if (tasks.length === 0) return runFinished ? taskless : 'pending';
  const has = (s: TaskStatus) => tasks.some((t) => t.state === s);
  if (has('running') || has('pending')) return 'running';
  if (tasks.some((t) => t.state === 'failed' && !t.caught)) return 'failed';
  if (has('damaged')) return 'damaged';
  if (has('interrupted')) return 'interrupted';
  if (has('failed')) return 'caught';
  if (tasks.every((t) => t.state === 'skipped')) return 'skipped';
  if (tasks.every((t) => t.state === 'cached')) return 'cached';
  return 'succeeded';
}
