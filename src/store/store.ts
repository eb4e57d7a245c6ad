/**
 * The store service the runtime, the task runner and the client API use. It knows the
 * §4 layout and record formats; bytes go through a StoreBackend, so the same code serves
 * the local store now and S3 later.
 */
import { randomBytes } from 'node:crypto';
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowctlError } from '../errors.js';
import { materializeCode, readCodeManifest, snapshotCode, type CodeSnapshot, type SnapshotOptions } from './code-snapshot.js';
import type { CodeManifest, DirManifestEntry } from './manifest.js';
import { parseDirManifest } from './manifest.js';
import { putOutput, stageOutput, type LinkedObject } from './outputs.js';
import type { StoreBackend } from './port.js';
import { attemptShape, attemptSpecShape, cacheEntryShape, isDamagedRecord, jobArrayShape, isKeySegment, parseRecord, runShape, taskShape, type Shape } from './record-check.js';
import {
  keys, type AttemptRecord, type AttemptSpec, type CacheEntry, type JobArrayRecord, type OutputEntry, type RunRecord, type TaskRecord,
} from './records.js';
import { nextRunId } from './run-id.js';

export type { CodeSnapshot, SnapshotOptions } from './code-snapshot.js';

/** See Store.attemptLogs. */
export interface AttemptLogs {
  stdoutPath: string;
  stderrPath: string;
  commit(): Promise<void>;
}

const MAX_ID_TRIES = 50;

export class Store {
  constructor(readonly backend: StoreBackend) {}

  /** `/abs/project/.flowctl` or `s3://bucket/prefix`. */
  get location(): string {
    return this.backend.location;
  }

  // ---- outputs and code ----

  /** Collect a declared output of a finished task. Example: `await store.putOutput(taskDir, 'model.json', { move: true })`. */
  putOutput(taskDir: string, relPath: string, opts: { move: boolean }): Promise<OutputEntry> {
    return putOutput(this.backend, taskDir, relPath, opts);
  }

  /** Recreate an output at destPath as read-only hardlinks of the store's objects (each checked first); returns the hardlinks made. */
  stageOutput(entry: OutputEntry, destPath: string): Promise<LinkedObject[]> {
    return stageOutput(this.backend, entry, destPath);
  }

  /**
   * Whether every object the outputs need is present and intact by the verified-stat check
   * (locally also each file of a directory output; a damaged one is quarantined, so false).
   * A reuse candidate whose outputs fail this is a miss, and the task runs again.
   */
  async hasOutputs(outputs: OutputEntry[]): Promise<boolean> {
    for (const o of outputs) {
      if (!(await this.backend.hasObject(o.hash))) return false;
      // S3 objects cannot be damaged by a task (their local cache copies are checked when staged).
      if (o.type !== 'dir' || this.backend.kind !== 'local') continue;
      const entries = await this.readDirManifest(o).catch(() => undefined);
      if (!entries) return false;
      for (const e of entries) if (e.type === 'file' && !(await this.backend.hasObject(e.hash))) return false;
    }
    return true;
  }

  /** The entries of a `dir` output's manifest (paths relative to the directory). */
  async readDirManifest(entry: OutputEntry): Promise<DirManifestEntry[]> {
    if (entry.type !== 'dir') throw new FlowctlError('STORE_NOT_DIR', `Output ${entry.path} is a file, not a directory`);
    return parseDirManifest((await this.backend.getObjectBytes(entry.hash)).toString('utf8'), entry.hash);
  }

  /** Every file of an output as an OutputEntry, a directory's files as `dir/…` (what `show` and `task.artifact()` address). */
  async listOutputFiles(entry: OutputEntry): Promise<OutputEntry[]> {
    if (entry.type === 'file') return [entry];
    return (await this.readDirManifest(entry)).flatMap((e) =>
      e.type === 'file' ? [{ path: `${entry.path}/${e.path}`, type: 'file' as const, hash: e.hash, size: e.size, ...(e.mode ? { mode: e.mode } : {}) }] : []);
  }

  /** Snapshot the project's code (copying, never moving, the user's files). */
  snapshotCode(projectRoot: string, opts: SnapshotOptions = {}): Promise<CodeSnapshot> {
    return snapshotCode(this.backend, projectRoot, opts);
  }

  readCodeManifest(hash: string): Promise<CodeManifest> {
    return readCodeManifest(this.backend, hash);
  }

  materializeCode(code: string | CodeManifest, destDir: string): Promise<void> {
    return materializeCode(this.backend, code, destDir);
  }

  // ---- run ids ----

  /**
   * A new run id, claimed in the store so no other process (or machine sharing the store)
   * gets it. The claim's content is the flow name when given; writeRun fills it otherwise.
   */
  async newRunId(flow = ''): Promise<string> {
    for (let i = 0; i < MAX_ID_TRIES; i++) {
      const id = nextRunId();
      if (await this.backend.createExclusive(keys.runIndex(id), flow)) return id;
    }
    throw new Error(`Could not claim a unique run id after ${MAX_ID_TRIES} tries`);
  }

  /**
   * The store's random 32-byte key for keyed hashes of secret values in cache keys, created
   * on first use (an exclusive create, so concurrent runs agree on one).
   * @throws FlowctlError STORE_CORRUPT when the stored key is not 64 hex digits.
   */
  async cacheSecret(): Promise<Buffer> {
    const key = keys.cacheSecret();
    if ((await this.backend.getText(key)) === undefined) await this.backend.createExclusive(key, randomBytes(32).toString('hex'));
    const secret = await this.readCacheSecret();
    if (!secret) throw new FlowctlError('STORE_CORRUPT', `${key} in ${this.location} could not be created`);
    return secret;
  }

  /** The key cacheSecret() gives, or undefined when the store has none yet (creating none: dry runs). */
  async readCacheSecret(): Promise<Buffer | undefined> {
    const key = keys.cacheSecret();
    const text = await this.backend.getText(key);
    if (text === undefined) return undefined;
    const hex = text.trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) {
      throw new FlowctlError('STORE_CORRUPT', `${key} in ${this.location} is not a 64-digit hex key`, {
        hint: `Delete ${key}: a new one is made on the next run (tasks that read secrets then run again once).`,
      });
    }
    return Buffer.from(hex, 'hex');
  }

  // ---- records ----

  async writeRun(rec: RunRecord): Promise<void> {
    await this.putJson(keys.run(rec.flow, rec.runId), rec);
    // Keeps the index pointing at the flow even for ids claimed without one (newRunId()).
    if ((await this.backend.getText(keys.runIndex(rec.runId))) !== rec.flow) await this.backend.putText(keys.runIndex(rec.runId), rec.flow);
  }

  /** run.json alone (the run-id index already names the flow): what a live run rewrites with each heartbeat. */
  writeRunRecord(rec: RunRecord): Promise<void> {
    return this.putJson(keys.run(rec.flow, rec.runId), rec);
  }

  /**
   * run.json; undefined when the run has none (yet).
   * @throws DamagedRecordError (STORE_CORRUPT, with `key` and `reason`) when it cannot be read.
   */
  readRun(flow: string, runId: string): Promise<RunRecord | undefined> {
    return this.getJson<RunRecord>(keys.run(flow, runId), runShape(flow, runId));
  }

  writeTask(flow: string, rec: TaskRecord): Promise<void> {
    return this.putJson(keys.task(flow, rec.runId, rec.step, rec.taskId), rec);
  }

  /** task.json; undefined while the task has none. @throws DamagedRecordError when it cannot be read. */
  readTask(flow: string, runId: string, step: string, taskId: string): Promise<TaskRecord | undefined> {
    return this.getJson<TaskRecord>(keys.task(flow, runId, step, taskId), taskShape(runId, step, taskId));
  }

  writeAttempt(flow: string, runId: string, step: string, taskId: string, rec: AttemptRecord): Promise<void> {
    return this.putJson(keys.attempt(flow, runId, step, taskId, rec.attempt), rec);
  }

  /** attempt.json; undefined while the attempt runs. @throws DamagedRecordError when it cannot be read. */
  readAttempt(flow: string, runId: string, step: string, taskId: string, attempt: number): Promise<AttemptRecord | undefined> {
    return this.getJson<AttemptRecord>(keys.attempt(flow, runId, step, taskId, attempt), attemptShape);
  }

  /** An attempt to run out of process (`flowctl task`); holds no secret value. */
  writeAttemptSpec(spec: AttemptSpec): Promise<void> {
    return this.putJson(keys.attemptSpec(spec.flow, spec.runId, spec.step, spec.taskId, spec.attempt), spec);
  }

  readAttemptSpec(flow: string, runId: string, step: string, taskId: string, attempt: number): Promise<AttemptSpec | undefined> {
    return this.getJson<AttemptSpec>(keys.attemptSpec(flow, runId, step, taskId, attempt), attemptSpecShape);
  }

  /** Which attempt each child of an AWS Batch array job runs (`flowctl task --array` reads it). */
  writeJobArray(flow: string, runId: string, arrayId: string, rec: JobArrayRecord): Promise<void> {
    return this.putJson(keys.jobArray(flow, runId, arrayId), rec);
  }

  readJobArray(flow: string, runId: string, arrayId: string): Promise<JobArrayRecord | undefined> {
    return this.getJson<JobArrayRecord>(keys.jobArray(flow, runId, arrayId), jobArrayShape);
  }

  /** Append to an attempt's stored log while it runs (a remote attempt ships its output in chunks; one writer per log). */
  appendAttemptLog(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: 'stdout' | 'stderr', text: string): Promise<void> {
    return this.backend.appendText(keys.attemptLog(flow, runId, step, taskId, attempt, stream), text);
  }

  /** Store a finished attempt's log file whole (moved: the caller must not use it afterwards), replacing what was appended. */
  putAttemptLog(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: 'stdout' | 'stderr', file: string): Promise<void> {
    return this.backend.putFile(keys.attemptLog(flow, runId, step, taskId, attempt, stream), file, { move: true });
  }

  /** An attempt's stored log as text so far (undefined before anything was stored). */
  readAttemptLog(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: 'stdout' | 'stderr'): Promise<string | undefined> {
    return this.backend.getText(keys.attemptLog(flow, runId, step, taskId, attempt, stream));
  }

  /**
   * Where a running attempt writes its stdout and stderr (masked, as they arrive), and
   * `commit()` to store them once it ends. A local store takes them in place, so they can be
   * followed while the attempt runs; a remote one gets them on commit.
   */
  attemptLogs(flow: string, runId: string, step: string, taskId: string, attempt: number): AttemptLogs {
    const key = (s: 'stdout' | 'stderr') => keys.attemptLog(flow, runId, step, taskId, attempt, s);
    const stdout = this.backend.localPath(key('stdout'));
    const stderr = this.backend.localPath(key('stderr'));
    if (stdout !== undefined && stderr !== undefined) return { stdoutPath: stdout, stderrPath: stderr, commit: async () => {} };
    const dir = this.scratchPath('logs', `${runId}-${randomBytes(6).toString('hex')}`);
    return {
      stdoutPath: join(dir, 'stdout'),
      stderrPath: join(dir, 'stderr'),
      commit: async () => {
        for (const s of ['stdout', 'stderr'] as const) {
          // Only the regular file the runner wrote: never follow a link put in its place.
          const st = await lstat(join(dir, s)).catch(() => undefined);
          if (st?.isFile()) await this.backend.putFile(key(s), join(dir, s), { move: true });
          else if (st) await this.backend.putText(key(s), `[flowctl: the task replaced its ${s} file; its log is lost]\n`);
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }

  /** A path in the store's private scratch space (same filesystem as its objects, so outputs can be moved in). */
  scratchPath(...parts: string[]): string {
    return join(this.backend.scratchDir(), ...parts);
  }

  /**
   * Remove a part of the scratch space (a run's task directories); never fails. Node's rm works
   * with whole paths, so a tree deeper than PATH_MAX (a task can make one) fails with
   * ENAMETOOLONG; rm(1) descends directory by directory.
   */
  async removeScratch(...parts: string[]): Promise<void> {
    const dir = this.scratchPath(...parts);
    try {
      await rm(dir, { recursive: true, force: true });
    } catch {
      const { execa } = await import('execa');
      await execa('rm', ['-rf', dir], { reject: false });
    }
  }

  /** True when a running attempt's logs and records are readable in the store as they are written (a local store). */
  get logsAreLive(): boolean {
    return this.backend.kind === 'local';
  }

  /** The task that produced a cache key's outputs, or undefined (a missing or damaged entry is a miss). */
  async readCacheEntry(key: string): Promise<CacheEntry | undefined> {
    try {
      return await this.getJson<CacheEntry>(keys.cacheEntry(key), cacheEntryShape);
    } catch (e) {
      if (isDamagedRecord(e)) return undefined;
      throw e;
    }
  }

  writeCacheEntry(key: string, entry: CacheEntry): Promise<void> {
    return this.backend.putText(keys.cacheEntry(key), JSON.stringify(entry));
  }

  /** Run ids of a flow, oldest first (ids sort chronologically). */
  listRuns(flow: string): Promise<string[]> {
    return this.backend.list(keys.runsDir(flow));
  }

  listFlows(): Promise<string[]> {
    return this.backend.list(keys.flowsDir());
  }

  listSteps(flow: string, runId: string): Promise<string[]> {
    return this.backend.list(keys.stepsDir(flow, runId));
  }

  /** Task ids in index order: `2` before `10`, `1.2` before `1.10`. */
  async listTasks(flow: string, runId: string, step: string): Promise<string[]> {
    return (await this.backend.list(keys.tasksDir(flow, runId, step))).sort(compareTaskIds);
  }

  async listAttempts(flow: string, runId: string, step: string, taskId: string): Promise<number[]> {
    const names = await this.backend.list(keys.attemptsDir(flow, runId, step, taskId));
    return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  }

  /**
   * Find a run by id alone, through the `runs/<id>` index; an index entry that is missing,
   * empty (a claimed id), damaged or wrong is passed over for a scan of every flow.
   * @throws DamagedRecordError when the run is found but its run.json cannot be read.
   */
  async findRun(runId: string): Promise<{ flow: string; run: RunRecord } | undefined> {
    if (!isKeySegment(runId)) return undefined;
    const indexed = (await this.backend.getText(keys.runIndex(runId)))?.trim() ?? '';
    const named = isKeySegment(indexed) && !/[\s\p{C}]/u.test(indexed) ? indexed : undefined;
    if (named) {
      const run = await this.readRun(named, runId);
      if (run) return { flow: named, run };
    }
    let damaged: unknown;
    for (const f of await this.listFlows()) {
      if (f === named) continue;
      try {
        const run = await this.readRun(f, runId);
        if (run) return { flow: f, run };
      } catch (e) {
        if (!isDamagedRecord(e)) throw e;
        damaged ??= e;
      }
    }
    if (damaged) throw damaged;
    return undefined;
  }

  appendEvent(flow: string, runId: string, event: object): Promise<void> {
    return this.backend.appendText(keys.events(flow, runId), `${JSON.stringify(event)}\n`);
  }

  /** Append already-serialized NDJSON (whole lines), e.g. a batch of events flushed at once. */
  appendEvents(flow: string, runId: string, ndjson: string): Promise<void> {
    if (ndjson && !ndjson.endsWith('\n')) throw new Error('appendEvents takes whole NDJSON lines (ending in a newline)');
    return this.backend.appendText(keys.events(flow, runId), ndjson);
  }

  /**
   * The run's events in order. Lines that are not a JSON object are left out: a torn last line
   * (a writer mid-append; readers following the file retry later) or a damaged one.
   */
  async readEvents<E = Record<string, unknown>>(flow: string, runId: string): Promise<E[]> {
    const text = (await this.backend.getText(keys.events(flow, runId))) ?? '';
    const out: E[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e: unknown = JSON.parse(line);
        if (typeof e === 'object' && e !== null && !Array.isArray(e)) out.push(e as E);
      } catch {
        // torn or damaged: see above
      }
    }
    return out;
  }

  private putJson(key: string, value: unknown): Promise<void> {
    return this.backend.putText(key, `${JSON.stringify(value, null, 2)}\n`);
  }

  private async getJson<T>(key: string, shape: Shape): Promise<T | undefined> {
    const text = await this.backend.getText(key);
    return text === undefined ? undefined : parseRecord<T>(key, text, shape, this.location);
  }
}

export function compareTaskIds(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0 && !Number.isNaN(d)) return d;
    if (pa[i] !== pb[i]) return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}
