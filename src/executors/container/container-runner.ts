/**
 * The container process runner: runs an attempt's `run:` inside its image with podman or
 * docker. The runtime's CLI (`podman run --rm …`, attached) is started by the spawner like a
 * local command, so its stdout/stderr (the container's) reach the same log files, masking
 * and `onLog`. Ending the CLI does not end its container, so every ending goes through the
 * runtime: timeout and Ctrl-C stop the container (TERM, grace, KILL), then remove it; a
 * failure removes whatever is left; if flowctl itself dies, the spawner removes it.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProcessRequest, ProcessResult, ProcessRunner } from '../../task/process-runner.js';
import { inheritedEnv } from '../../task/task-env.js';
import { formatDuration, notStarted, runWithLogs, type Outcome } from '../attempt-logs.js';
import type { LogFile } from '../log-file.js';
import { Spawner } from '../spawner/client.js';
import { runtimeCommand, runtimeFixHint, runtimeLineKind } from './cli.js';
import { LABEL, ownerLabels, removeArgs, removeContainers } from './leftovers.js';
import { containerName, runArgs } from './run-args.js';
import type { ContainerRuntime, Detection } from './runtime.js';

export interface ContainerRunnerOptions {
  /** Time between the stop signal and SIGKILL when a container is stopped (default 5000 ms). */
  graceMs?: number;
}

/** The last line the runtime (`error`) or the container's init (`noShell`) wrote about its own failure. */
interface RuntimeLines {
  error?: string;
  noShell?: string;
}

/** Exit codes with which podman and docker report their own failure to create or start the container. */
const RUNTIME_EXIT = new Set([125, 126, 127]);

/** @example const r = await new ContainerProcessRunner(detectRuntime()).run({ ...req, image: 'debian:12' }); */
export class ContainerProcessRunner implements ProcessRunner {
  private readonly graceMs: number;
  private kind: string = 'container';

  constructor(private readonly detection: Promise<Detection>, opts: ContainerRunnerOptions = {}) {
    this.graceMs = opts.graceMs ?? 5000;
  }

  /** What attempt records call it: `podman` or `docker` once the runtime is known. */
  get name(): string {
    return this.kind;
  }

  run(req: ProcessRequest): Promise<ProcessResult> {
    // Lines from the runtime itself (`Error: …`) are kept apart to explain a container that never started.
    const runtimeLines: RuntimeLines = {};
    const onLog = (stream: 'stdout' | 'stderr', line: string) => {
      const kind = stream === 'stderr' ? runtimeLineKind(line) : undefined;
      if (kind === 'runtime') runtimeLines.error = line;
      else if (kind === 'no-shell') runtimeLines.noShell = line;
      req.onLog?.(stream, line);
    };
    return runWithLogs({ ...req, onLog }, (stdout, stderr, onCallbackError) => this.execute(req, stdout, stderr, onCallbackError, runtimeLines));
  }

  private async execute(req: ProcessRequest, stdout: LogFile, stderr: LogFile, onCallbackError: (e: unknown) => void, runtimeLines: RuntimeLines): Promise<Outcome> {
    if (req.signal?.aborted || req.killSignal?.aborted) {
      return { state: 'interrupted', exitCode: null, signal: null, reason: 'interrupted before start' };
    }
    const d = await this.detection;
    if ('problem' in d) return notStarted(d.problem.message);
    const rt = d.runtime;
    this.kind = rt.kind;
    if (!req.image) return notStarted('a container step needs an image');
    const name = containerName({ runId: req.runId, step: req.step, taskId: req.taskId, attempt: req.attempt, random: randomBytes(4).toString('hex') });
    const secretNames = new Set(req.secretEnv ?? []);
    const mask = req.mask;
    let built;
    try {
      built = runArgs({
        runtime: rt, uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0, name,
        labels: {
          [LABEL.run]: req.runId, [LABEL.step]: req.step, [LABEL.task]: req.taskId, [LABEL.attempt]: String(req.attempt), ...ownerLabels(),
        },
        image: req.imageDigest ?? req.image, shell: req.shell, command: req.command, root: req.root, cwd: req.cwd, env: req.env,
        // Named secrets, and any value that holds one (masking changes it).
        secret: (n, v) => secretNames.has(n) || (mask !== undefined && v !== '' && mask(v) !== v),
        resources: req.resources, network: req.network,
      });
    } catch (e) {
      return notStarted((e as Error).message);
    }
    // The container gets none of this (only `built.args`' --env names), but the runtime CLI's
    // own processes need not see flowctl's secret channels either.
    const env = inheritedEnv(process.env, req.holdsSecret);
    Object.assign(env, built.cliEnv);

    let sub;
    try {
      // If flowctl dies while this runs, the spawner removes the container (ending the CLI would not).
      sub = Spawner.for().spawn({
        file: rt.bin, args: built.args, cwd: req.root, env, tag: randomBytes(12).toString('hex'),
        onOrphan: { file: rt.bin, args: removeArgs(rt, [name]) },
      });
    } catch (e) {
      return notStarted(`the spawner process could not be started: ${(e as Error).message}`);
    }
    const started = await sub.started;
    if ('error' in started) {
      await sub.closed;
      return notStarted(`${rt.bin}: ${started.error}`);
    }
    const pgid = started.pid;

    let ending: 'timeout' | 'interrupted' | undefined;
    let exited = false;
    const stops: Array<Promise<void>> = [];
    let hurried = false;
    const end = (now: boolean): void => {
      if (exited) return;
      if (now && !hurried) {
        hurried = true;
        stops.push(this.kill(rt, name, pgid));
      } else if (stops.length === 0) {
        stops.push(this.stop(rt, name, pgid, sub.closed));
      }
    };
    const interrupt = (now: boolean): void => {
      if (exited) return;
      ending ??= 'interrupted';
      end(now);
    };
    const onAbort = (): void => interrupt(req.signal?.reason === 'kill');
    const onKill = (): void => interrupt(true);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    req.killSignal?.addEventListener('abort', onKill, { once: true });
    if (req.killSignal?.aborted) onKill();
    else if (req.signal?.aborted) onAbort();
    const timer = req.timeoutMs === undefined ? undefined : setTimeout(() => {
      if (exited || ending) return;
      ending = 'timeout';
      end(false);
    }, req.timeoutMs);
    const broke = (e: unknown): void => {
      onCallbackError(e);
      end(true);
    };
    stdout.attach(sub.stdout, broke);
    stderr.attach(sub.stderr, broke);

    try {
      const r = await sub.closed;
      exited = true;
      await Promise.all(stops);
      const abnormal = ending !== undefined || r.lost !== undefined || r.code !== 0;
      // `--rm` removes a container that ended by itself; whatever else is left (stopped, killed
      // mid-start, a runtime that failed) is removed now, before the attempt counts as over.
      const removed = abnormal ? await removeContainers(rt, [name]) : true;
      const leftover = removed ? '' : `; the container ${name} could not be removed (remove it with \`${rt.kind} rm -f ${name}\`)`;
      const out = (o: Outcome): Outcome => (leftover ? { ...o, reason: `${o.reason ?? o.state}${leftover}` } : o);
      const exitCode = r.code;
      const base = { exitCode, signal: r.signal };
      if (ending === 'timeout') return out({ state: 'timeout', ...base, reason: `timed out after ${formatDuration(req.timeoutMs!)}` });
      if (ending === 'interrupted') return out({ state: 'interrupted', ...base, reason: 'interrupted' });
      if (r.lost) return out({ state: 'failed', ...base, reason: r.lost });
      if (exitCode === 0) return { state: 'succeeded', ...base };
      if (runtimeLines.noShell) {
        return out({ ...notStarted(`image ${req.image} has no ${req.shell} (the shell of run:): ${runtimeLines.noShell}; use an image with ${req.shell}${req.shell === 'sh' ? '' : ', or shell: sh'}`), exitCode });
      }
      if (exitCode !== null && RUNTIME_EXIT.has(exitCode) && runtimeLines.error) {
        return out({ ...notStarted(`${rt.kind} could not run the container (image ${req.image}): ${runtimeLines.error}${runtimeFixHint(rt.kind, runtimeLines.error)}`), exitCode });
      }
      if (r.signal) return out({ state: 'failed', ...base, reason: `the ${rt.kind} process was killed by ${r.signal}` });
      if (exitCode === 137) return out({ state: 'failed', ...base, reason: `exit code 137 (killed by SIGKILL${req.resources.memory > 0 ? `; out of memory? resources.memory is ${req.resources.memory} MiB` : ''})` });
      return out({ state: 'failed', ...base, reason: exitCode === null ? 'ended without an exit code' : `exit code ${exitCode}` });
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      req.killSignal?.removeEventListener('abort', onKill);
    }
  }

  /**
   * Graceful: the runtime sends the stop signal to the container's init, waits the grace
   * period, then SIGKILL. If there is no container yet (still being created), or the CLI does
   * not exit after it, the CLI's process group is killed; the removal afterwards catches a
   * container it left behind.
   */
  private async stop(rt: ContainerRuntime, name: string, pgid: number, closed: Promise<unknown>): Promise<void> {
    const grace = Math.ceil(this.graceMs / 1000);
    const quiet = rt.kind === 'podman' ? ['--log-level=error'] : [];
    const r = await runtimeCommand(rt.bin, [...quiet, 'stop', '--time', String(grace), name], { timeoutMs: (grace + 60) * 1000 });
    if (r.exitCode !== 0) {
      killGroup(pgid);
      return;
    }
    const gone = await Promise.race([closed.then(() => true), sleep(10_000).then(() => false)]);
    if (!gone) killGroup(pgid);
  }

  /** At once: remove the container with SIGKILL and end the CLI. */
  private async kill(rt: ContainerRuntime, name: string, pgid: number): Promise<void> {
    await removeContainers(rt, [name]);
    killGroup(pgid);
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
