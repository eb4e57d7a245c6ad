/**
 * The part every process runner shares around its process: the attempt's two log files
 * (masked lines, `onLog`), their closing, and the timing of the result. A runner supplies
 * `execute`, which starts the process, attaches its output and says how it ended.
 */
import type { ProcessRequest, ProcessResult } from '../task/process-runner.js';
import { LogFile } from './log-file.js';
import { resourceHint } from './start-failure.js';

/** How a process ended, before timing is added. */
export type Outcome = Pick<ProcessResult, 'state' | 'exitCode' | 'signal' | 'reason' | 'leftoverProcesses'>;

/** Starts the process, attaches its output to the two logs; `onCallbackError` reports a throwing mask/onLog. */
export type Execute = (stdout: LogFile, stderr: LogFile, onCallbackError: (e: unknown) => void) => Promise<Outcome>;

/**
 * Opens the logs, runs `execute`, closes the logs. A log that cannot be written fails an
 * otherwise successful attempt; a throwing mask/onLog (a flowctl bug) is rethrown after cleanup.
 */
export async function runWithLogs(req: ProcessRequest, execute: Execute): Promise<ProcessResult> {
  const started = Date.now();
  const done = (o: Outcome): ProcessResult => {
    const finished = Date.now();
    return { ...o, startedAt: new Date(started).toISOString(), finishedAt: new Date(finished).toISOString(), durationMs: finished - started };
  };
  const opts = { mask: req.mask, maskCut: req.maskCut };
  const onLog = req.onLog;
  const logs: LogFile[] = [];
  try {
    logs.push(await LogFile.open(req.stdoutPath, onLog && ((l) => onLog('stdout', l)), opts));
    logs.push(await LogFile.open(req.stderrPath, onLog && ((l) => onLog('stderr', l)), opts));
  } catch (e) {
    await Promise.all(logs.map((l) => l.close()));
    const hint = resourceHint((e as NodeJS.ErrnoException).code);
    return done(notStarted(`cannot open log file: ${(e as Error).message}${hint ? `; ${hint}` : ''}`));
  }
  let callbackError: unknown;
  let outcome = await execute(logs[0]!, logs[1]!, (e) => (callbackError ??= e));
  const closed = await Promise.allSettled(logs.map((l) => l.close()));
  for (const c of closed) {
    if (c.status === 'rejected') callbackError ??= c.reason;
    else if (c.value && outcome.state === 'succeeded') {
      outcome = { ...outcome, state: 'failed', reason: `could not write log: ${c.value.message}` };
    }
  }
  // A throwing mask/onLog is a flowctl bug, not a failing command: surface it, after cleanup.
  if (callbackError !== undefined) throw callbackError;
  return done(outcome);
}

/** A command that never ran: `could not start: <why>`. */
export function notStarted(why: string): Outcome {
  return { state: 'failed', exitCode: null, signal: null, reason: `could not start: ${why}` };
}

/** `1.5s`, `2s`, `15m`, `1h30m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const seconds = Number((ms / 1000).toFixed(1));
  if (seconds < 60) return `${seconds}s`;
  const total = Math.round(ms / 1000);
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
