/**
 * Every container flowctl starts carries labels naming the flowctl process that owns it (pid,
 * its start time, host). Normally the container is removed when its attempt ends, and if
 * flowctl dies the spawner removes it; if both die at once (`kill -9` of the whole process
 * group, a lost machine), the next run with container steps on this host finds the leftovers
 * of dead owners by label and removes them. Containers of live flowctl processes, and of
 * other hosts sharing a Docker daemon, are never touched.
 */
import os from 'node:os';
import { isLive, readProc } from '../process-tree.js';
import { runtimeCommand } from './cli.js';
import type { ContainerRuntime } from './runtime.js';

export const LABEL = {
  run: 'flowctl.run',
  step: 'flowctl.step',
  task: 'flowctl.task',
  attempt: 'flowctl.attempt',
  pid: 'flowctl.pid',
  /** The owner's start time (clock ticks since boot): a reused pid is not mistaken for it. */
  start: 'flowctl.start',
  host: 'flowctl.host',
} as const;

let owner: Record<string, string> | undefined;

/** The labels that name this flowctl process as a container's owner. */
export function ownerLabels(): Record<string, string> {
  owner ??= { [LABEL.pid]: String(process.pid), [LABEL.start]: readProc(process.pid)?.start ?? '', [LABEL.host]: os.hostname() };
  return owner;
}

export interface Leftover {
  id: string;
  pid: number;
  start: string;
  host: string;
}

/** Containers of ours (by label) on this runtime. */
export async function listOurs(rt: ContainerRuntime): Promise<Leftover[]> {
  const label = (k: string) => (rt.kind === 'podman' ? `{{index .Labels "${k}"}}` : `{{.Label "${k}"}}`);
  const format = ['{{.ID}}', label(LABEL.pid), label(LABEL.start), label(LABEL.host)].join('\t');
  const quiet = rt.kind === 'podman' ? ['--log-level=error'] : [];
  const r = await runtimeCommand(rt.bin, [...quiet, 'ps', '--all', '--no-trunc', '--filter', `label=${LABEL.pid}`, '--format', format], { timeoutMs: 60_000 });
  if (r.exitCode !== 0) throw new Error(`could not list containers: ${r.errorLine}`);
  return r.stdout.split('\n').filter((l) => l.trim()).map((l) => {
    const [id, pid, start, host] = l.split('\t');
    return { id: id!.trim(), pid: Number(pid), start: start ?? '', host: host ?? '' };
  });
}

/** True when the flowctl process that started the container is gone (only decidable for this host). */
export function ownerIsGone(c: Leftover, host = os.hostname()): boolean {
  if (c.host !== host || !Number.isInteger(c.pid) || c.pid <= 0) return false;
  const p = readProc(c.pid);
  return !isLive(p) || (c.start !== '' && p.start !== c.start);
}

/** Remove the containers of dead flowctl processes on this host; returns how many. Never throws. */
export async function sweepLeftovers(rt: ContainerRuntime): Promise<number> {
  try {
    const gone = (await listOurs(rt)).filter((c) => ownerIsGone(c));
    if (gone.length > 0) await removeContainers(rt, gone.map((c) => c.id));
    return gone.length;
  } catch {
    return 0; // a sweep is housekeeping: it never fails a run
  }
}

/** `rm --force` at once (no grace), ignoring containers already gone. */
export async function removeContainers(rt: ContainerRuntime, namesOrIds: string[]): Promise<boolean> {
  const r = await runtimeCommand(rt.bin, removeArgs(rt, namesOrIds), { timeoutMs: 120_000 });
  return r.exitCode === 0 || /no such container/i.test(r.stderr);
}

/** The argv (without the binary) that removes containers at once, whatever their state. */
export function removeArgs(rt: Pick<ContainerRuntime, 'kind'>, namesOrIds: string[]): string[] {
  return rt.kind === 'podman'
    ? ['--log-level=error', 'rm', '--force', '--time', '0', '--ignore', ...namesOrIds]
    : ['rm', '--force', ...namesOrIds];
}
