import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessRequest } from '../../src/task/process-runner.js';
import { removeDirSync, tempDirSync } from '../helpers/tmp.js';

/** A fresh directory per test, removed by `cleanup()`. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = tempDirSync('flowctl-exec-');
  return { dir, cleanup: () => removeDirSync(dir) };
}

export interface Captured {
  lines: Array<['stdout' | 'stderr', string]>;
  out: () => string[];
  err: () => string[];
}

/** A request running `command` in `dir`, logs under `dir/logs/…`, capturing onLog. */
export function request(dir: string, command: string, extra: Partial<ProcessRequest> = {}): { req: ProcessRequest; log: Captured } {
  const lines: Captured['lines'] = [];
  const log: Captured = {
    lines,
    out: () => lines.filter(([s]) => s === 'stdout').map(([, l]) => l),
    err: () => lines.filter(([s]) => s === 'stderr').map(([, l]) => l),
  };
  const req: ProcessRequest = {
    runId: 'r1',
    step: 'prepare',
    taskId: '0',
    attempt: 1,
    command,
    shell: 'sh',
    root: dir,
    cwd: dir,
    env: {},
    resources: { cpu: 1, memory: 512, gpu: 0 },
    stdoutPath: join(dir, 'logs', 'attempts', '1', 'stdout'),
    stderrPath: join(dir, 'logs', 'attempts', '1', 'stderr'),
    onLog: (stream, line) => lines.push([stream, line]),
    ...extra,
  };
  return { req, log };
}

/** Live (non-zombie) processes whose command line contains `marker`. */
export function processesMatching(marker: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
      if (cmd.includes(marker) && state !== 'Z') hits.push(`${name}: ${cmd}`);
    } catch {
      // exited while we looked
    }
  }
  return hits;
}

/** A marker unique to this test process, so parallel test files never see each other's sleeps. */
export function marker(base: number): string {
  return `${base}.${process.pid % 100000}`;
}

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
