/** Fixtures for the browse tests: projects with flows, runs started in the background, JSON parsing. */
import { execa, type ResultPromise } from 'execa';
import { cp, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, flowctl, REPO, runIdFrom, type CliResult } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

export { flowctl, makeProject, REPO, runIdFrom, StoreReader } from '../helpers/cli.js';

/** A line of a Node stack trace: user-facing errors must not have one. */
export const STACK = /^\s+at .+\(.*:\d+:\d+\)$/m;

/** flows/ of the repo copied into a temp dir; the store lands in `<dir>/flows/.flowctl` (the flow's project root). */
export async function trainProject(): Promise<string> {
  const dir = await tempDir('flowctl-show-');
  await cp(path.join(REPO, 'flows'), path.join(dir, 'flows'), { recursive: true });
  return path.join(dir, 'flows');
}

/** Runs a flow to its end and returns the run id (whatever the exit code). */
export async function runFlow(cwd: string, file: string, args: string[] = [], env: Record<string, string> = {}): Promise<{ id: string; r: CliResult }> {
  const r = await flowctl(['run', file, ...args], { cwd, env });
  return { id: runIdFrom(r), r };
}

/** Starts a run in the background; resolves the id once run.json exists. */
export async function startRun(cwd: string, file: string, env: Record<string, string> = {}): Promise<{ id: string; done: ResultPromise }> {
  const idFile = path.join(cwd, `.run-id-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const done = execa('node', [BIN, 'run', file, '--run-id-file', idFile], { cwd, reject: false, env: { FLOWCTL_USER: 'tester', ...env } });
  for (let i = 0; i < 200; i++) {
    const id = (await readFile(idFile, 'utf8').catch(() => '')).trim();
    if (id) {
      const flow = (await readFile(path.join(cwd, '.flowctl/runs', id), 'utf8').catch(() => '')).trim();
      if (flow && (await stat(path.join(cwd, '.flowctl/flows', flow, 'runs', id, 'run.json')).catch(() => undefined))) return { id, done };
    }
    await sleep(50);
  }
  throw new Error(`run of ${file} did not start: ${(await done).stderr}`);
}

/** Runs `flowctl … --json` and parses stdout. */
export async function json<T = any>(args: string[], cwd: string, env: Record<string, string> = {}): Promise<T> {
  const r = await flowctl([...args, '--json'], { cwd, env });
  if (r.exitCode !== 0) throw new Error(`flowctl ${args.join(' ')} --json exited ${r.exitCode}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The documented keys of each JSON shape (README: "JSON shapes"). */
export const SHAPES = {
  run: ['pathspec', 'flow', 'runId', 'state', 'stale', 'user', 'namespace', 'tags', 'originRunId', 'resumedFrom', 'startedAt', 'finishedAt', 'durationMs',
    'heartbeatAt', 'params', 'secretParams', 'codeHash', 'specHash', 'flowFile', 'host', 'pid', 'taskCounts', 'caughtFailures', 'error'],
  step: ['pathspec', 'step', 'state', 'tasks', 'counts', 'startedAt', 'finishedAt', 'durationMs'],
  task: ['pathspec', 'flow', 'runId', 'step', 'taskId', 'state', 'item', 'itemIndices', 'attempts', 'startedAt', 'finishedAt', 'durationMs',
    'cachedFrom', 'reuse', 'reason', 'caught', 'command', 'cacheKey', 'values', 'outputs', 'error'],
  attempt: ['attempt', 'state', 'exitCode', 'signal', 'startedAt', 'finishedAt', 'durationMs', 'reason', 'error', 'executor', 'image', 'imageDigest'],
  output: ['path', 'type', 'size', 'sha256'],
  artifact: ['pathspec', 'path', 'type', 'size', 'sha256', 'files'],
};

export function keysOf(o: object): string[] {
  return Object.keys(o).sort();
}

export function sorted(keys: string[]): string[] {
  return [...keys].sort();
}
