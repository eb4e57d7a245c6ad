/** One attempt of a task: its record and its stdout/stderr. An attempt.json that cannot be read makes the attempt `damaged`; its logs still read. */
import { Readable } from 'node:stream';
import { isDamagedRecord, type DamagedRecordError } from '../store/record-check.js';
import { keys, type AttemptRecord } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { Task } from './task.js';
import type { AttemptJson, LogStream } from './types.js';

export class Attempt {
  /** Use `task.attempt(n)` or `task.attempts()`. */
  constructor(readonly task: Task, readonly number: number, readonly record: AttemptRecord | undefined, readonly damage?: DamagedRecordError) {}

  /** @internal */
  static async load(task: Task, n: number): Promise<Attempt> {
    const store = await task.run.ctx.store();
    try {
      return new Attempt(task, n, await store.readAttempt(task.run.flow, task.run.id, task.step.name, task.id, n));
    } catch (e) {
      if (!isDamagedRecord(e)) throw e;
      return new Attempt(task, n, undefined, e);
    }
  }

  /** `running` until the attempt's record is written; `damaged` when it cannot be read (see `damage`). */
  get state(): AttemptRecord['state'] | 'damaged' { return this.damage ? 'damaged' : this.record?.state ?? 'running'; }
  get finished(): boolean { return this.damage !== undefined || (this.record !== undefined && this.record.state !== 'running'); }
  get exitCode(): number | null { return this.record?.exitCode ?? null; }
  get reason(): string | undefined { return this.record?.reason; }
  get durationMs(): number | undefined { return this.record?.durationMs; }

  /** The store key of a log. */
  logKey(stream: LogStream): string {
    const t = this.task;
    return keys.attemptLog(t.run.flow, t.run.id, t.step.name, t.id, this.number, stream);
  }

  /** The whole log as text ('' when the attempt wrote nothing). @example await attempt.logs('stderr') */
  async logs(stream: LogStream = 'stdout'): Promise<string> {
    const t = this.task;
    return (await this.store()).readAttemptLog(t.run.flow, t.run.id, t.step.name, t.id, this.number, stream);
  }

  /** The log as a byte stream (from the file itself on a local store, so a large log is not held in memory). */
  logStream(stream: LogStream = 'stdout'): Readable {
    const self = this;
    const t = this.task;
    return Readable.from((async function* () {
      yield* (await self.store()).attemptLogStream(t.run.flow, t.run.id, t.step.name, t.id, self.number, stream);
    })(), { objectMode: false });
  }

  toJSON(): AttemptJson {
    const r = this.record;
    return {
      attempt: this.number, state: this.state, exitCode: r?.exitCode ?? null, signal: r?.signal ?? null, startedAt: r?.startedAt ?? null,
      finishedAt: r?.finishedAt ?? null, durationMs: r?.durationMs ?? null, reason: r?.reason ?? null, error: this.damage?.message ?? null,
      executor: r?.executor ?? null, image: r?.image ?? null, imageDigest: r?.imageDigest ?? null,
      ...(r?.job ? { job: r.job } : {}),
    };
  }

  private store(): Promise<Store> {
    return this.task.run.ctx.store();
  }
}
