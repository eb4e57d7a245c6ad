/**
 * The store service the runtime, the task runner and the client API use. It owns the §4
 * layout and record formats: every record, log, event, tag edit and index entry is read and
 * written through a method here, by name. Bytes go through two narrow ports, an object store
 * (object-store.ts) and a key store (key-store.ts), each with a local and an S3 adapter, so
 * the same code serves both; what differs between them is asked by name (`logsAreLive`,
 * `damagedObjectsQuarantined`), never by probing for local paths.
 */
import { randomBytes } from 'node:crypto';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FlowctlError } from '../errors.js';
import { materializeCode, readCodeManifest, retouchSnapshot, snapshotCode, type CodeSnapshot, type SnapshotOptions } from './code-snapshot.js';
import { mapLimit } from './fs-util.js';
import { gcRanSince, readGcState, type GcMark } from './gc-state.js';
import type { KeyStore } from './key-store.js';
import { StoreMaintenance } from './maintenance.js';
import { makeOwnedDir, sweepLeftovers, type LeftoverReport } from './leftovers.js';
import { isAlive } from './liveness.js';
import type { CodeManifest, DirManifestEntry } from './manifest.js';
import { parseDirManifest } from './manifest.js';
import type { ObjectCheck, ObjectStore } from './object-store.js';
import { putOutput, stageOutput, type LinkedObject } from './outputs.js';
import {
  keys, type AttemptRecord, type AttemptSpec, type CacheEntry, type JobArrayRecord, type OutputEntry, type RunRecord, type TagsFile, type TaskRecord,
} from './records.js';
import {
  attemptShape, attemptSpecShape, cacheEntryShape, isDamagedRecord, isKeySegment, jobArrayShape, parseRecord, runShape, taskShape, type Shape,
} from './record-check.js';
import { nextRunId } from './run-id.js';
import { attemptLogs, firstLine, readFrom, readSlice, tailStart, type AttemptLogs, type LogStream } from './store-logs.js';

export type { CodeSnapshot, SnapshotOptions } from './code-snapshot.js';
export type { AttemptLogs, LogStream } from './store-logs.js';
export type { GcMark } from './gc-state.js';

/** The two ports a Store sits on (openFsPorts, openS3Ports). */
export interface StorePorts {
  objects: ObjectStore;
  kv: KeyStore;
}

const MAX_ID_TRIES = 50;
const CHECK_PARALLEL = 16;

export class Store {
  /** @internal The object port: use the Store's methods. */
  readonly objects: ObjectStore;
  /** @internal The key port: use the Store's methods. */
  readonly kv: KeyStore;
  private maint?: StoreMaintenance;

  constructor(ports: StorePorts) {
    this.objects = ports.objects;
    this.kv = ports.kv;
  }

  /** `/abs/project/.flowctl` or `s3://bucket/prefix`. */
  get location(): string {
    return this.objects.location;
  }

  /** Listing and removal for gc, rm and fsck (maintenance.ts); runs never use it. */
  get maintenance(): StoreMaintenance {
    return (this.maint ??= new StoreMaintenance(this));
  }

  // ---- what differs between stores ----

  /** Whether the store exists yet (a dry run of a project's first run finds none); a bucket prefix always does. */
  async exists(): Promise<boolean> {
    if (this.objects.kind !== 'local') return true;
    return stat(this.location).then((st) => st.isDirectory(), () => false);
  }

  /** True when a running attempt's logs and records are readable in the store as they are written (a local store). */
  get logsAreLive(): boolean {
    return this.kv.live;
  }

  /** A damaged object found by a check is moved to the store's quarantine/ (local); else only a local cache copy is dropped (S3). */
  get damagedObjectsQuarantined(): boolean {
    return this.objects.damagedCopies === 'quarantined';
  }

  // ---- objects: outputs and code ----

  /** Collect a declared output of a finished task. Example: `await store.putOutput(taskDir, 'model.json', { move: true })`. */
  putOutput(taskDir: string, relPath: string, opts: { move: boolean }): Promise<OutputEntry> {
    return putOutput(this.objects, taskDir, relPath, opts);
  }

  /** Recreate an output at destPath as read-only hardlinks of the store's objects (each checked first); returns the hardlinks made. */
  stageOutput(entry: OutputEntry, destPath: string): Promise<LinkedObject[]> {
    return stageOutput(this.objects, entry, destPath);
  }

  /**
   * Whether every object the outputs need is present and intact by the verified-stat check,
   * marking each as used now (so a `gc` running meanwhile keeps them). Where checks are cheap
   * (locally) every file of a directory output is checked and marked; elsewhere its manifest,
   * and its files too while a gc holds its lease. A reuse candidate that fails this is a miss,
   * and the task runs again.
   */
  async useOutputs(outputs: OutputEntry[]): Promise<boolean> {
    for (const o of outputs) {
      if (!(await this.objects.touch(o.hash))) return false;
      if (o.type !== 'dir' || (!this.objects.checksAreCheap && !(await this.gcRunning()))) continue;
      const entries = await this.readDirManifest(o).catch(() => undefined);
      if (!entries) return false;
      const files = entries.flatMap((e) => (e.type === 'file' ? [e.hash] : []));
      const ok = await mapLimit(files, this.objects.checksAreCheap ? 1 : CHECK_PARALLEL, (h) => this.objects.touch(h));
      if (!ok.every(Boolean)) return false;
    }
    return true;
  }

  /**
   * Whether every object of these outputs is present and intact (a directory's files too, where
   * checks are cheap), marking nothing as used: `why not reused` and dry runs only look.
   */
  async hasOutputs(outputs: OutputEntry[]): Promise<boolean> {
    for (const o of outputs) {
      if (!(await this.objects.has(o.hash))) return false;
      // S3 objects cannot be damaged by a task (their local cache copies are checked when staged).
      if (o.type !== 'dir' || !this.objects.checksAreCheap) continue;
      const entries = await this.readDirManifest(o).catch(() => undefined);
      if (!entries) return false;
      for (const e of entries) if (e.type === 'file' && !(await this.objects.has(e.hash))) return false;
    }
    return true;
  }

  /** The entries of a `dir` output's manifest (paths relative to the directory). */
  async readDirManifest(entry: OutputEntry): Promise<DirManifestEntry[]> {
    if (entry.type !== 'dir') throw new FlowctlError('STORE_NOT_DIR', `Output ${entry.path} is a file, not a directory`);
    return parseDirManifest((await this.objects.getBytes(entry.hash)).toString('utf8'), entry.hash);
  }

  /** Every file of an output as an OutputEntry, a directory's files as `dir/…` (what `show` and `task.artifact()` address). */
  async listOutputFiles(entry: OutputEntry): Promise<OutputEntry[]> {
    if (entry.type === 'file') return [entry];
    return (await this.readDirManifest(entry)).flatMap((e) =>
      e.type === 'file' ? [{ path: `${entry.path}/${e.path}`, type: 'file' as const, hash: e.hash, size: e.size, ...(e.mode ? { mode: e.mode } : {}) }] : []);
  }

  /** An object's content, verified (STORE_CORRUPT / STORE_MISSING_OBJECT naming it). */
  readObject(hash: string): Promise<Buffer> {
    return this.objects.getBytes(hash);
  }

  /** An object too big to hold, as verified chunks (checked before the first byte, hashed again on the way). */
  readObjectStream(hash: string, size: number): AsyncIterable<Buffer> {
    return this.objects.read(hash, size);
  }

  /** The local file a staged input hard-links (the object, or the S3 cache's copy): compared by inode after an attempt. */
  stagedObjectFile(hash: string): string {
    return this.objects.localFile(hash);
  }

  /** The verified-stat check of that file (re-hashed when its stat changed; a damaged one goes, see damagedObjectsQuarantined). */
  checkStagedObject(hash: string, size: number): Promise<ObjectCheck> {
    return this.objects.verify(hash, { size });
  }

  /** Snapshot the project's code (copying, never moving, the user's files). */
  snapshotCode(projectRoot: string, opts: SnapshotOptions = {}): Promise<CodeSnapshot> {
    return snapshotCode(this.objects, this.kv, projectRoot, opts);
  }

  readCodeManifest(hash: string): Promise<CodeManifest> {
    return readCodeManifest(this.kv, hash);
  }

  materializeCode(code: string | CodeManifest, destDir: string): Promise<void> {
    return materializeCode(this.objects, this.kv, code, destDir);
  }

  // ---- run ids ----

  /**
   * A new run id, claimed in the store so no other process (or machine sharing the store)
   * gets it. The claim's content is the flow name when given; writeRun fills it otherwise.
   */
  async newRunId(flow = ''): Promise<string> {
    for (let i = 0; i < MAX_ID_TRIES; i++) {
      const id = nextRunId();
      if (await this.kv.createExclusive(keys.runIndex(id), flow)) return id;
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
    if ((await this.kv.get(key)) === undefined) await this.kv.createExclusive(key, randomBytes(32).toString('hex'));
    const secret = await this.readCacheSecret();
    if (!secret) throw new FlowctlError('STORE_CORRUPT', `${key} in ${this.location} could not be created`);
    return secret;
  }

  /** The key cacheSecret() gives, or undefined when the store has none yet (creating none: dry runs). */
  async readCacheSecret(): Promise<Buffer | undefined> {
    const key = keys.cacheSecret();
    const text = await this.kv.get(key);
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
    if ((await this.kv.get(keys.runIndex(rec.runId))) !== rec.flow) await this.kv.put(keys.runIndex(rec.runId), rec.flow);
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

  /** The task that produced a cache key's outputs, or undefined (a missing or damaged entry is a miss). */
  async readCacheEntry(key: string): Promise<CacheEntry | undefined> {
    try {
      return await this.getJson<CacheEntry>(keys.cacheEntry(key), cacheEntryShape);
    } catch (e) {
      if (isDamagedRecord(e)) return undefined;
      throw e;
    }
  }

  /** readCacheEntry for maintenance: undefined when absent. @throws DamagedRecordError when it cannot be read. */
  readCacheEntryStrict(key: string): Promise<CacheEntry | undefined> {
    return this.getJson<CacheEntry>(keys.cacheEntry(key), cacheEntryShape);
  }

  writeCacheEntry(key: string, entry: CacheEntry): Promise<void> {
    return this.kv.put(keys.cacheEntry(key), JSON.stringify(entry));
  }

  /** Run ids of a flow, oldest first (ids sort chronologically). */
  listRuns(flow: string): Promise<string[]> {
    return this.kv.list(keys.runsDir(flow));
  }

  listFlows(): Promise<string[]> {
    return this.kv.list(keys.flowsDir());
  }

  /** Every run id in the store (the runs index), oldest first, whatever its flow. */
  listRunIds(): Promise<string[]> {
    return this.kv.list(keys.runsIndexDir());
  }

  listSteps(flow: string, runId: string): Promise<string[]> {
    return this.kv.list(keys.stepsDir(flow, runId));
  }

  /** Task ids in index order: `2` before `10`, `1.2` before `1.10`. */
  async listTasks(flow: string, runId: string, step: string): Promise<string[]> {
    return (await this.kv.list(keys.tasksDir(flow, runId, step))).sort(compareTaskIds);
  }

  async listAttempts(flow: string, runId: string, step: string, taskId: string): Promise<number[]> {
    const names = await this.kv.list(keys.attemptsDir(flow, runId, step, taskId));
    return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
  }

  /**
   * Find a run by id alone, through the `runs/<id>` index; an index entry that is missing,
   * empty (a claimed id), damaged or wrong is passed over for a scan of every flow.
   * @throws DamagedRecordError when the run is found but its run.json cannot be read.
   */
  async findRun(runId: string): Promise<{ flow: string; run: RunRecord } | undefined> {
    if (!isKeySegment(runId)) return undefined;
    const indexed = (await this.kv.get(keys.runIndex(runId)))?.trim() ?? '';
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
    return this.kv.append(keys.events(flow, runId), `${JSON.stringify(event)}\n`);
  }

  /** Append already-serialized NDJSON (whole lines), e.g. a batch of events flushed at once. */
  appendEvents(flow: string, runId: string, ndjson: string): Promise<void> {
    if (ndjson && !ndjson.endsWith('\n')) throw new Error('appendEvents takes whole NDJSON lines (ending in a newline)');
    return this.kv.append(keys.events(flow, runId), ndjson);
  }

  /**
   * The run's events in order. Lines that are not a JSON object are left out: a torn last line
   * (a writer mid-append; readers following the file retry later) or a damaged one.
   */
  async readEvents<E = Record<string, unknown>>(flow: string, runId: string): Promise<E[]> {
    const text = (await this.kv.get(keys.events(flow, runId))) ?? '';
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

  /** Byte slice of events.ndjson from `from` (at most maxBytes, or one whole longer line); see Run.events(). */
  readEventsSlice(flow: string, runId: string, from: number, maxBytes: number): Promise<{ buf: Buffer; more: boolean }> {
    return readSlice(this.kv, keys.events(flow, runId), from, maxBytes);
  }

  /** The first line of events.ndjson (the `run-started` event, which holds the plan); undefined until it is whole. */
  readFirstEvent(flow: string, runId: string): Promise<string | undefined> {
    return firstLine(this.kv, keys.events(flow, runId));
  }

  // ---- attempt logs ----

  /**
   * Where a running attempt writes its stdout and stderr (masked, as they arrive), and
   * `commit()` to store them once it ends. A store whose logs are live takes them in place, so
   * they can be followed while the attempt runs; a remote one gets them on commit.
   */
  attemptLogs(flow: string, runId: string, step: string, taskId: string, attempt: number): AttemptLogs {
    return attemptLogs(this.kv, (s) => keys.attemptLog(flow, runId, step, taskId, attempt, s), this.scratchPath('logs'), runId);
  }

  /** A log whole ('' when the attempt wrote nothing, or has not stored it yet). */
  async readAttemptLog(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: LogStream): Promise<string> {
    return (await this.kv.get(keys.attemptLog(flow, runId, step, taskId, attempt, stream))) ?? '';
  }

  /** A log as chunks, never whole in memory where the store can stream it. */
  attemptLogStream(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: LogStream): AsyncIterable<Buffer> {
    return this.kv.stream(keys.attemptLog(flow, runId, step, taskId, attempt, stream));
  }

  /** What a (growing) log holds past `offset`; following a live log reads only what is new. */
  readAttemptLogFrom(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: LogStream, offset: number): AsyncIterable<Buffer> {
    return readFrom(this.kv, keys.attemptLog(flow, runId, step, taskId, attempt, stream), offset);
  }

  /** Where the last `tail` bytes of a log start, at a line start (0 when it is shorter). */
  attemptLogTailStart(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: LogStream, tail: number): Promise<number> {
    return tailStart(this.kv, keys.attemptLog(flow, runId, step, taskId, attempt, stream), tail);
  }

  /** Append to an attempt's stored log while it runs (a remote attempt ships its output in chunks; one writer per log). */
  appendAttemptLog(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: LogStream, text: string): Promise<void> {
    return this.kv.append(keys.attemptLog(flow, runId, step, taskId, attempt, stream), text);
  }

  /** Store a finished attempt's log file whole (moved: the caller must not use it afterwards), replacing what was appended. */
  putAttemptLog(flow: string, runId: string, step: string, taskId: string, attempt: number, stream: LogStream, file: string): Promise<void> {
    return this.kv.putFile(keys.attemptLog(flow, runId, step, taskId, attempt, stream), file, { move: true });
  }

  /** Whether the attempt's record is written (it has ended). */
  hasAttemptRecord(flow: string, runId: string, step: string, taskId: string, attempt: number): Promise<boolean> {
    return this.kv.exists(keys.attempt(flow, runId, step, taskId, attempt));
  }

  // ---- tags ----

  /**
   * The run's tag edits (flows/<flow>/tags/<run-id>.json); undefined when there are none.
   * @throws DamagedRecordError (STORE_CORRUPT) when the file cannot be read.
   */
  async readTagEdits(flow: string, runId: string): Promise<TagsFile | undefined> {
    const t = await this.getJson<Partial<TagsFile>>(keys.tags(flow, runId), tagsShape);
    if (t === undefined) return undefined;
    return { formatVersion: 1, added: strings(t.added), removed: strings(t.removed), updatedAt: String(t.updatedAt ?? '') };
  }

  /** Replace the run's tag edits whole (one atomic write: a racing writer's edit is lost, never half-written). */
  writeTagEdits(flow: string, runId: string, file: TagsFile): Promise<void> {
    return this.kv.put(keys.tags(flow, runId), `${JSON.stringify(file, null, 2)}\n`);
  }

  /** Run ids of a flow that have tag edits: one listing instead of a read per run. */
  async runsWithTagEdits(flow: string): Promise<Set<string>> {
    return new Set((await this.kv.list(keys.tagsDir(flow))).filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length)));
  }

  // ---- scratch space and crash leftovers ----

  /** A path in the store's private scratch space (same filesystem as its objects' local files, so outputs can be moved in). */
  scratchPath(...parts: string[]): string {
    return join(this.objects.scratchDir(), ...parts);
  }

  /**
   * This process's directory for the task directories of run `runId` (`<scratch>/tasks/<name>`),
   * created with an owner file, so a later run can tell a crashed run's leftovers from a live one's.
   */
  runScratchDir(name: string, runId: string): string {
    return makeOwnedDir(this.scratchPath('tasks'), name, runId);
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

  /**
   * Remove what crashed runs left in the scratch space (leftovers.ts: never a live process's);
   * never fails. With `dryRun`, only report what would go.
   */
  async removeLeftovers(opts: { dryRun?: boolean } = {}): Promise<LeftoverReport> {
    const liveness = async (runId: string) => {
      const found = await this.findRun(runId).catch(() => undefined);
      return found ? (isAlive(found.run) ? 'alive' as const : 'dead' as const) : 'unknown' as const;
    };
    const where = { tasksDir: this.scratchPath('tasks'), logsDir: this.scratchPath('logs'), tempDir: this.objects.tempDir() };
    return sweepLeftovers(where, liveness, { dryRun: opts.dryRun }).catch(() => ({ dirs: [], files: 0, bytes: 0 }));
  }

  // ---- living with a concurrent gc (README: "Maintaining a store") ----

  /** Whether a `flowctl gc` or `rm` is running on the store now (runs then mark every file they reuse, see useOutputs). */
  async gcRunning(): Promise<boolean> {
    return (await readGcState(this.kv)).running;
  }

  /** What gc had done when a run started using the store; keepCode compares it with a later look. */
  gcMark(): Promise<GcMark> {
    return readGcState(this.kv);
  }

  /**
   * Once the run's record names its code snapshot: if the snapshot was found rather than written
   * (the remote shortcut) and a gc ran since `mark`, make sure it is whole (every file touched,
   * a missing one put again from projectRoot). Otherwise nothing to do: costs one small read.
   */
  async keepCode(projectRoot: string, code: CodeSnapshot, mark: GcMark): Promise<void> {
    if (code.touched || !gcRanSince(mark, await readGcState(this.kv))) return;
    await retouchSnapshot(this.objects, this.kv, projectRoot, code);
  }

  private putJson(key: string, value: unknown): Promise<void> {
    return this.kv.put(key, `${JSON.stringify(value, null, 2)}\n`);
  }

  private async getJson<T>(key: string, shape: Shape): Promise<T | undefined> {
    const text = await this.kv.get(key);
    return text === undefined ? undefined : parseRecord<T>(key, text, shape, this.location);
  }
}

/** Tags edits are lists of strings: anything else is a damaged file. */
const tagsShape: Shape = (t) => {
  for (const k of ['added', 'removed']) {
    const v = t[k];
    if (v !== undefined && !(Array.isArray(v) && v.every((x) => typeof x === 'string'))) return `${k} is not a list of tags`;
  }
  return undefined;
};

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
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
