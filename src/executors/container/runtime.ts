/**
 * Which container runtime runs container steps here: `FLOWCTL_CONTAINER_RUNTIME` (podman,
 * docker, or a path to either), else the first of podman and docker that *works*. A CLI on
 * PATH is not enough: a `docker` binary whose daemon cannot be reached is not available. The
 * probe is one cheap CLI call per candidate, made once per process and only when a flow has
 * container steps.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findExecutable } from '../shell.js';
import { runtimeCommand } from './cli.js';

export type RuntimeKind = 'podman' | 'docker';

/** A container runtime that answered its probe. */
export interface ContainerRuntime {
  kind: RuntimeKind;
  /** Absolute path of its CLI. */
  bin: string;
  /** Containers run in a user namespace of the invoking (non-root) user: rootless podman or rootless docker. */
  rootless: boolean;
  /** `--cpus`/`--memory` can be enforced (not by a rootless runtime on cgroup v1, which ignores them with a warning). */
  limits: boolean;
}

/** Why no runtime can be used, and what to do about it. */
export interface RuntimeProblem {
  message: string;
  hint: string;
}

export type Detection = { runtime: ContainerRuntime } | { problem: RuntimeProblem };

/** Setting that picks the runtime. */
export const RUNTIME_VAR = 'FLOWCTL_CONTAINER_RUNTIME';

/** Probe calls that take longer than this count as not working (a hung daemon, a stuck storage lock). */
const PROBE_TIMEOUT_MS = 20_000;

const INSTALL_HINT =
  'install podman (Debian/Ubuntu: apt-get install podman runc; see the README section "Container steps") or start the Docker daemon; ' +
  `${RUNTIME_VAR}=podman|docker|PATH picks one`;

const cache = new Map<string, Promise<Detection>>();

/**
 * The runtime for this process (cached per `FLOWCTL_CONTAINER_RUNTIME` and PATH).
 * @example const d = await detectRuntime(); if ('problem' in d) console.error(d.problem.message);
 */
export function detectRuntime(env: NodeJS.ProcessEnv = process.env): Promise<Detection> {
  const key = `${env[RUNTIME_VAR] ?? ''}\0${env.PATH ?? ''}`;
  let d = cache.get(key);
  if (!d) cache.set(key, (d = detect(env)));
  return d;
}

async function detect(env: NodeJS.ProcessEnv): Promise<Detection> {
  const chosen = env[RUNTIME_VAR]?.trim();
  if (chosen) {
    const kind = kindOf(chosen);
    if (!kind) {
      return { problem: { message: `${RUNTIME_VAR}=${chosen} names neither podman nor docker`, hint: `set ${RUNTIME_VAR} to podman, docker, or the path of one of them` } };
    }
    const r = await probe(kind, chosen, env);
    if ('runtime' in r) return r;
    return { problem: { message: `the container runtime ${RUNTIME_VAR} names (${chosen}) ${r.why}`, hint: INSTALL_HINT } };
  }
  const whys: string[] = [];
  for (const kind of ['podman', 'docker'] as const) {
    const r = await probe(kind, kind, env);
    if ('runtime' in r) return r;
    whys.push(`${kind} ${r.why}`);
  }
  return { problem: { message: `container steps (image:) need podman or docker, and neither works here: ${whys.join('; ')}`, hint: INSTALL_HINT } };
}

/** `podman`, `/usr/bin/podman`, `podman-remote` → podman; likewise docker. */
export function kindOf(nameOrPath: string): RuntimeKind | undefined {
  const base = path.basename(nameOrPath);
  if (base.startsWith('podman')) return 'podman';
  if (base.startsWith('docker')) return 'docker';
  return undefined;
}

/** The runtime, or why not as a predicate (`is not found on PATH`, `does not work: …`). */
async function probe(kind: RuntimeKind, nameOrPath: string, env: NodeJS.ProcessEnv): Promise<{ runtime: ContainerRuntime } | { why: string }> {
  const bin = nameOrPath.includes('/') ? path.resolve(nameOrPath) : findExecutable(nameOrPath, env.PATH ?? '');
  if (!bin || !existsSync(bin)) return { why: `is not found${nameOrPath.includes('/') ? '' : ' on PATH'}` };
  // podman: listing containers opens its storage and database (what breaks when it is misconfigured);
  // docker: `info` needs the daemon, and says whether it is rootless.
  const args = kind === 'podman' ? ['--log-level=error', 'ps', '--quiet', '--last', '1'] : ['info', '--format', '{{json .SecurityOptions}}'];
  const r = await runtimeCommand(bin, args, { timeoutMs: PROBE_TIMEOUT_MS, env });
  if (r.timedOut) return { why: `did not answer \`${path.basename(bin)} ${args.join(' ')}\` within ${PROBE_TIMEOUT_MS / 1000}s` };
  if (r.exitCode !== 0) return { why: `does not work: ${r.errorLine || `\`${path.basename(bin)} ${args.join(' ')}\` exited with ${r.exitCode ?? r.signal}`}` };
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const rootless = kind === 'podman' ? !root : /rootless/.test(r.stdout);
  return { runtime: { kind, bin, rootless, limits: !rootless || existsSync('/sys/fs/cgroup/cgroup.controllers') } };
}
