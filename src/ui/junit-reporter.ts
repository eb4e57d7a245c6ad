/**
 * `run --junit FILE` / `resume --junit FILE`: a JUnit XML report built from runtime events
 * (never from the store), one `<testsuite>` per step in DAG order and one `<testcase>` per task
 * (classname `FLOW.STEP`, name `STEP/TASK`, so history lines up across runs in Jenkins and
 * GitLab). A failed task is a `<failure>` (reason, item, last log lines); an interrupted one an
 * `<error>`; a caught failure is still a failure (the run goes on; Jenkins marks the build
 * unstable). Skipped tasks are `<skipped>`, and so are cached ones, with the task they were
 * reused from as message: both CI servers list skipped cases with their message, so a
 * cached task reads as "not run here, result reused" rather than as a 0-second pass. Steps or
 * tasks the run never reached (it failed or was interrupted first) are skipped cases too.
 *
 * The file is written once, when the reporter closes (the run ended, failed or was
 * interrupted, or could not start: then one failing case says why), to a temporary name and
 * renamed, so a CI job never reads half a report.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ExitCode, FlowctlError, formatProblem, isFlowctlError, type Problem } from '../errors.js';
import { dagOfPlan, stepsInDagOrder } from '../graph/model.js';
import type { Reporter, RunEvent } from '../runtime/events.js';
import { renderJUnit, type JUnitCase, type JUnitSuite } from './junit-xml.js';
import { sanitizeLine } from '../term/sanitize.js';

type Started = Extract<RunEvent, { type: 'run-started' }>;
type Finished = Extract<RunEvent, { type: 'task-finished' }>;

interface TaskRecord {
  item?: unknown;
  startedAt?: string;
  /** State of the last attempt that ended (`timeout`, `interrupted`, …). */
  lastAttempt?: string;
  finished?: Finished;
}

export class JUnitReporter implements Reporter {
  private started?: Started;
  private runFinished?: Extract<RunEvent, { type: 'run-finished' }>;
  private readonly tasks = new Map<string, Map<string, TaskRecord>>();
  private readonly planned = new Map<string, number>();
  private readonly stepStarted = new Map<string, string>();
  private readonly stepMs = new Map<string, number>();
  private closed?: Promise<void>;

  /** `file`: where the report goes (checked now: an existing directory is refused). */
  constructor(private readonly file: string, private readonly host = os.hostname()) {
    this.file = path.resolve(file);
    if (statSync(this.file, { throwIfNoEntry: false })?.isDirectory()) {
      throw new FlowctlError('USAGE', `--junit ${file}: is a directory; give a file path`, { exitCode: ExitCode.Usage });
    }
  }

  onEvent(e: RunEvent): void {
    switch (e.type) {
      case 'run-started': this.started = e; break;
      case 'step-started': this.stepStarted.set(e.step, e.time); break;
      case 'step-planned': this.planned.set(e.step, Math.max(e.tasks, this.planned.get(e.step) ?? 0)); break;
      case 'step-finished': this.stepMs.set(e.step, e.durationMs); break;
      case 'task-started': Object.assign(this.task(e.step, e.taskId), { item: e.item, startedAt: e.time }); break;
      case 'attempt-finished': this.task(e.step, e.taskId).lastAttempt = e.state; break;
      case 'task-finished': this.task(e.step, e.taskId).finished = e; break;
      case 'run-finished': this.runFinished = e; break;
    }
  }

  /**
   * Writes the report (once). `error`: why the run could not start or stopped, if it did not
   * end normally. Never rejects: a report that cannot be written is said on stderr and makes
   * the command exit 2 (unless the run already exits non-zero), without touching the run.
   */
  close(error?: unknown): Promise<void> {
    this.closed ??= Promise.resolve().then(() => this.writeReport(error)).catch((e: unknown) => {
      process.stderr.write(`error: could not write the JUnit report ${this.file}: ${(e as Error).message}\n`);
      process.exitCode ||= ExitCode.Usage;
    });
    return this.closed;
  }

  private task(step: string, taskId: string): TaskRecord {
    let byId = this.tasks.get(step);
    if (!byId) this.tasks.set(step, (byId = new Map()));
    let t = byId.get(taskId);
    if (!t) byId.set(taskId, (t = {}));
    return t;
  }

  private writeReport(error: unknown): void {
    const s = this.started;
    const suites = s ? this.stepSuites(s) : [];
    const problem = this.runProblem(error);
    if (problem) suites.push({ name: 'flowctl', timeMs: 0, cases: [problem] });
    const name = s ? `${s.flow} ${s.runId}` : 'flowctl';
    const xml = renderJUnit({ name, timeMs: this.runFinished?.durationMs ?? 0, suites });
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      writeFileSync(tmp, xml);
      renameSync(tmp, this.file);
    } catch (e) {
      rmSync(tmp, { force: true });
      throw e;
    }
  }

  private stepSuites(s: Started): JUnitSuite[] {
    const flow = s.flow;
    const order = stepsInDagOrder(dagOfPlan(flow, s.steps).steps);
    for (const step of this.tasks.keys()) if (!order.includes(step)) order.push(step);
    const ended = this.runFinished?.state ?? 'interrupted';
    return order.map((step) => {
      const byId = this.tasks.get(step) ?? new Map<string, TaskRecord>();
      const classname = `${flow}.${step}`;
      const cases = [...byId.entries()].sort(([a], [b]) => compareIds(a, b)).map(([id, t]) => this.testcase(classname, step, id, t));
      const missing = (this.planned.get(step) ?? 0) - byId.size;
      // A step that finished without tasks (a foreach over an empty list) has nothing to report.
      if ((byId.size === 0 && !this.stepMs.has(step)) || missing > 0) {
        const what = byId.size === 0 ? step : `${step} (${missing} more task${missing === 1 ? '' : 's'})`;
        const why = ended === 'interrupted' ? 'was interrupted' : ended === 'failed' ? 'failed' : 'ended';
        cases.push({ classname, name: what, timeMs: 0, outcome: { kind: 'skipped', message: `not run: the run ${why} before ${byId.size === 0 ? 'this step ran' : 'these tasks ran'}` } });
      }
      const timeMs = this.stepMs.get(step) ?? cases.reduce((n, c) => n + c.timeMs, 0);
      return { name: classname, timeMs, timestamp: this.stepStarted.get(step), properties: { run: `${flow}/${s.runId}`, step }, cases };
    });
  }

  private testcase(classname: string, step: string, id: string, t: TaskRecord): JUnitCase {
    const name = `${step}/${id}`;
    const f = t.finished;
    const base = { classname, name, timeMs: f?.durationMs ?? 0 };

    if (!f) return { ...base, outcome: { kind: 'error', message: 'did not finish: the run stopped while it ran', type: 'unfinished' } };
    if (f.state === 'succeeded') return base;
    if (f.state === 'cached') return { ...base, outcome: { kind: 'skipped', message: `cached: reused the result of ${f.cachedFrom ?? 'an earlier run'}` } };
    if (f.state === 'skipped') return { ...base, outcome: { kind: 'skipped', message: `skipped${f.reason ? `: ${f.reason}` : ''}` } };
    const interrupted = (f.state as string) === 'interrupted' || f.reason === 'interrupted' || t.lastAttempt === 'interrupted';
    const reason = f.reason ?? f.state;
    const text = [
      interrupted ? `${name} was interrupted` : `${name} failed${f.caught ? ' (caught: the run went on)' : ''}: ${reason}`,
      ...(t.item !== undefined ? [`item: ${JSON.stringify(t.item)}`] : []),
      ...(f.lastLines?.length ? ['last lines:', ...f.lastLines.map((l) => `  ${sanitizeLine(l)}`)] : []),
      ...(this.started ? [`logs: flowctl logs ${this.started.flow}/${this.started.runId}/${name}`] : []),
    ].join('\n');
    if (interrupted) return { ...base, outcome: { kind: 'error', message: 'interrupted', type: 'interrupted', text } };
    return { ...base, outcome: { kind: 'failure', message: `${f.caught ? '(caught) ' : ''}${reason}`, type: t.lastAttempt === 'timeout' ? 'timeout' : 'failed', text } };
  }

  /** A case for a run that could not start (an invalid flow, a bad param) or stopped on an error. */
  private runProblem(error: unknown): JUnitCase | undefined {
    const runError = this.runFinished?.error;
    if (error === undefined && !runError) return undefined;
    const problems = isFlowctlError(error) ? (error as { problems?: Problem[] }).problems : undefined;
    const text = problems ? problems.map(formatProblem).join('\n') : runError ?? (error instanceof Error ? error.message : String(error));
    const code = isFlowctlError(error) ? error.code : 'RUN_ERROR';
    const message = problems ? `invalid flow: ${problems.length} problem${problems.length === 1 ? '' : 's'}` : text.split('\n')[0]!;
    return { classname: 'flowctl', name: this.started ? 'run' : 'start', timeMs: 0, outcome: { kind: 'error', message, type: code, text } };
  }
}

function compareIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
