/**
 * One attempt of a task, anywhere (DESIGN.md §5): build the task directory (code snapshot +
 * staged inputs), run the command through a ProcessRunner, and on success read FLOW_VALUES and
 * move the declared outputs into the store; then store the logs and the attempt record. Every
 * executor ends here: in-process for local and container steps, inside the job (through
 * `flowctl task`) for remote ones. Plain JSON in (AttemptSpec), plain JSON out (AttemptRecord).
 */
import path from 'node:path';
import type { AttemptRecord, AttemptSpec, JobInfo, OutputEntry } from '../store/records.js';
import type { CodeSnapshot, Store } from '../store/store.js';
import type { Masker } from './mask.js';
import type { ProcessResult, ProcessRunner } from './process-runner.js';
import type { ScratchPool } from './scratch-pool.js';
import { inspectAttempt } from './after-attempt.js';
import { liveAttemptLogs } from './live-logs.js';
import type { StagedFile } from './staged-files.js';
import { stagedHolders } from './staged-holders.js';
import { prepareTaskDir } from './task-dir.js';
import { readValuesFile } from './values.js';
import { describeWriteError } from './write-error.js';

/** What runs an attempt needs besides its spec: the effects, and what stays in memory. */
export interface AttemptContext {
  store: Store;
  runner: ProcessRunner;
  /** Task directories (recycled within a process). */
  scratch: ScratchPool;
  masker: Masker;
  /** Values of `spec.secretEnv`, never stored. Missing ones are an error (see runAttempt). */
  secrets?: Record<string, string>;
  /** The snapshot `spec.codeHash` names, when the caller has it in memory (else read from the store). */
  code?: Pick<CodeSnapshot, 'hash' | 'files'>;
  /** Every complete output line, masked. */
  onLog?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** Ends the attempt gracefully (TERM, grace, KILL); see ProcessRequest.signal. */
  signal?: AbortSignal;
  killSignal?: AbortSignal;
  /** Keep a failed attempt's task directory (renamed in the scratch pool) for debugging. */
  keepFailedDir?: boolean;
  /**
   * On a store whose logs are not live (S3), append the output to the stored logs every this
   * many ms while the attempt runs (a remote job: see live-logs.ts). Default: stored at the end.
   */
  liveLogsEveryMs?: number;
  /** What the record says ran it, when not the runner (`batch`), and the remote job it ran in. */
  ranBy?: { executor: string; job?: JobInfo };
}

const LAST_LINES = 10;

/**
 * Runs one attempt and stores its logs and `attempt.json`; returns that record. Failures of the
 * command, of staging or of collecting outputs are a failed record, never a throw; a throw means
 * the store itself could not be written.
 * @example const rec = await runAttempt(spec, { store, runner: new LocalProcessRunner(), scratch, masker });
 */
export async function runAttempt(spec: AttemptSpec, ctx: AttemptContext): Promise<AttemptRecord> {
  const { store, masker } = ctx;
  const ref = [spec.flow, spec.runId, spec.step, spec.taskId, spec.attempt] as const;
  const slot = ctx.scratch.acquire();
  const valuesFile = path.join(slot.dir, 'values');
  const logs = ctx.liveLogsEveryMs && !store.logsAreLive ? liveAttemptLogs(store, ref, ctx.liveLogsEveryMs) : store.attemptLogs(...ref);
  const lastLines: string[] = [];
  const startedAt = new Date().toISOString();

  let result: ProcessResult | undefined;
  let problem: string | undefined;
  let secrets: Record<string, string> = {};
  let inputs: StagedFile[] = [];
  try {
    secrets = secretValues(spec, ctx.secrets);
    const code = ctx.code?.hash === spec.codeHash ? ctx.code : await store.readCodeManifest(spec.codeHash);
    // The slot is new or was cleaned when handed back: only missing code files are linked.
    inputs = await prepareTaskDir(store, code, slot.work, spec.inputs, {
      present: slot.linked,
      onCodeLinked: (files) => ctx.scratch.codeLinked(slot, files),
    });
  } catch (e) {
    problem = `could not prepare the task directory: ${describeWriteError(e)}`;
  }
  // Every attempt sharing a staged object is named if it is found changed (a hard link cannot tell who wrote).
  const hold = problem === undefined ? stagedHolders.hold(`${spec.step}/${spec.taskId}`, stagedHashes(inputs, ctx.scratch.stagedCode(slot))) : undefined;
  let record: AttemptRecord;
  let checked: string[] | undefined;
  try {
    if (problem === undefined) {
      result = await ctx.runner.run({
        runId: spec.runId, step: spec.step, taskId: spec.taskId, attempt: spec.attempt, command: spec.command, shell: spec.shell,
        root: slot.dir, cwd: slot.work, env: { ...spec.env, ...secrets, FLOW_VALUES: valuesFile, FLOW_TASK_DIR: slot.work },
        secretEnv: spec.secretEnv, timeoutMs: spec.timeoutMs, image: spec.image, imageDigest: spec.imageDigest, network: spec.network,
        resources: spec.resources, stdoutPath: logs.stdoutPath, stderrPath: logs.stderrPath,
        mask: masker.active ? (s) => masker.text(s) : undefined,
        holdsSecret: masker.active ? (s) => masker.holds(s) : undefined,
        maskCut: masker.active ? (b, at) => masker.safeCut(b, at) : undefined,
        onLog: (stream, line) => {
          lastLines.push(line);
          if (lastLines.length > LAST_LINES) lastLines.shift();
          ctx.onLog?.(stream, line);
        },
        signal: ctx.signal,
        killSignal: ctx.killSignal,
      });
    }
    record = result
      ? {
        formatVersion: 1, attempt: spec.attempt, state: result.state, exitCode: result.exitCode, signal: result.signal,
        startedAt: result.startedAt, finishedAt: result.finishedAt, durationMs: result.durationMs, reason: result.reason,
      }
      : { formatVersion: 1, attempt: spec.attempt, state: 'failed', exitCode: null, signal: null, startedAt, finishedAt: new Date().toISOString(), durationMs: 0, reason: problem };
    record.executor = ctx.ranBy?.executor ?? ctx.runner.name;
    if (ctx.ranBy?.job) record.job = ctx.ranBy.job;
    if (spec.image !== undefined) record.image = spec.image;
    if (spec.imageDigest !== undefined) record.imageDigest = spec.imageDigest;
    // Before anything is read back: the task dir must still be ours, and its staged inputs intact.
    const sharedWith = hold && ((hash: string) => stagedHolders.others(hold, hash));
    const after = result ? await inspectAttempt(store, ctx.scratch, slot, inputs, record, sharedWith) : undefined;
    if (after?.final) record.final = true;
    checked = after?.changed;
  } finally {
    if (hold) stagedHolders.release(hold, checked);
  }

  if (record.state === 'succeeded') {
    try {
      record.values = await readValues(valuesFile, masker);
      const outputs: OutputEntry[] = [];
      for (const p of spec.outputs) outputs.push(await store.putOutput(slot.work, p, { move: true }));
      record.outputs = outputs;
    } catch (e) {
      record.state = 'failed';
      record.reason = describeWriteError(e);
      delete record.values;
    }
  }
  if (record.reason !== undefined) record.reason = masker.message(record.reason);
  if (lastLines.length > 0) record.lastLines = lastLines;
  try {
    await logs.commit();
    await store.writeAttempt(spec.flow, spec.runId, spec.step, spec.taskId, record);
  } catch (e) {
    // An attempt that cannot be recorded failed (retry applies); the run goes on.
    record.state = 'failed';
    record.reason = `could not record the attempt: ${describeWriteError(e)}`;
  }
  // Emptied off the task's critical path (ScratchPool.settle() awaits it); failed ones kept when asked.
  const keep = record.state !== 'succeeded' && ctx.keepFailedDir;
  ctx.scratch.release(slot, keep ? `${spec.step}-${spec.taskId}-${spec.attempt}` : undefined);
  return record;
}

/** The secret variables the spec names, from the caller; one that is missing fails the attempt before it starts. */
function secretValues(spec: AttemptSpec, given: Record<string, string> = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of spec.secretEnv) {
    const v = given[name];
    if (v === undefined) throw new Error(`secret variable ${name} was not supplied to this attempt`);
    out[name] = v;
  }
  return out;
}

async function readValues(file: string, masker: Masker): Promise<Record<string, unknown>> {
  const { values, problems } = await readValuesFile(file);
  if (problems.length > 0) throw new Error(`bad FLOW_VALUES file: ${problems.join('; ')}`);
  return masker.value(values);
}

function stagedHashes(inputs: StagedFile[], code: StagedFile[]): string[] {
  const out: string[] = [];
  for (const f of inputs) out.push(f.hash);
  for (const f of code) out.push(f.hash);
  return out;
}
