/**
 * The `podman run`/`docker run` command line of one attempt, pure. What the container gets:
 * the attempt's slot directory (task directory + FLOW_VALUES) mounted at /flowctl and nothing
 * else of the host; the invoking user's uid (so its files are the user's afterwards); no
 * capabilities and no privilege gain (root in a container would otherwise write through the
 * read-only links to store objects); the step's env, with secret values passed by name only.
 */
import type { Resources } from '../../task/process-runner.js';
import type { ContainerRuntime } from './runtime.js';

/** Where the attempt's slot directory is mounted in the container. */
export const CONTAINER_ROOT = '/flowctl';

export interface RunArgsInput {
  runtime: Pick<ContainerRuntime, 'kind' | 'rootless' | 'limits'>;
  /** The invoking user. */
  uid: number;
  gid: number;
  name: string;
  labels: Record<string, string>;
  /** What to run: the image id when resolved, else the reference. */
  image: string;
  shell: 'sh' | 'bash';
  command: string;
  /** The host directory mounted at CONTAINER_ROOT, and the working directory inside it (host path). */
  root: string;
  cwd: string;
  /** Host-side values (paths under `root` are rewritten to the container's). */
  env: Record<string, string>;
  /** Names of `env` variables that are secret: passed as `--env NAME`, their values in the CLI's own environment. */
  secret: (name: string, value: string) => boolean;
  resources: Resources;
  network?: string;
}

export interface RunArgs {
  args: string[];
  /** Variables to add to the runtime CLI's environment (the secret ones). */
  cliEnv: Record<string, string>;
}

/** Variables the runtime CLI itself reads: a secret of that name cannot be passed through its environment. */
const CLI_OWN_VAR = /^(?:PATH|HOME|TMPDIR|USER|LOGNAME|SHELL|GODEBUG|GOMAXPROCS|GOTRACEBACK|NOTIFY_SOCKET|REGISTRY_AUTH_FILE)$|^(?:LD_|XDG_|CONTAINERS?_|DOCKER_|PODMAN_|BUILDAH_|STORAGE_|SSL_)|_PROXY$/i;

/**
 * The runtime's argv (without the binary) and the environment additions its CLI needs.
 * @throws Error with a user-facing message for a slot path the runtime's `-v` cannot express, or a secret named like a variable the CLI reads.
 */
export function runArgs(i: RunArgsInput): RunArgs {
  if (i.root.includes(':')) {
    throw new Error(`the task directory ${i.root} contains ':', which ${i.runtime.kind} cannot mount (--volume HOST:CONTAINER); use a store path without one`);
  }
  const args = [...(i.runtime.kind === 'podman' ? ['--log-level=error'] : []), 'run', '--rm', '--init', '--name', i.name];
  for (const [k, v] of Object.entries(i.labels)) args.push('--label', `${k}=${v}`);
  args.push(...userArgs(i), '--cap-drop=ALL', '--security-opt', 'no-new-privileges', '--pull=never');
  args.push('--volume', `${i.root}:${CONTAINER_ROOT}:rw`, '--workdir', containerPath(i.cwd, i.root));
  const cliEnv: Record<string, string> = {};
  for (const [name, hostValue] of Object.entries(i.env)) {
    const value = containerPath(hostValue, i.root);
    if (!i.secret(name, hostValue)) {
      args.push('--env', `${name}=${value}`);
      continue;
    }
    if (CLI_OWN_VAR.test(name)) {
      throw new Error(`the secret variable ${name} cannot be handed to a container: ${i.runtime.kind} itself reads a variable of that name; give it another name`);
    }
    args.push('--env', name);
    cliEnv[name] = value;
  }
  if (i.network !== undefined) args.push('--network', i.network);
  args.push(...resourceArgs(i.runtime, i.resources));
  // The image's own entrypoint is bypassed: `run:` is a shell command line, as on the host.
  args.push('--entrypoint', i.shell, i.image, '-c', i.command);
  return { args, cliEnv };
}

/**
 * Run as the invoking user: rootless podman maps it into the container with keep-id; rootless
 * docker maps the container's root to it; a rootful runtime runs the container as its uid.
 */
function userArgs(i: RunArgsInput): string[] {
  if (i.runtime.kind === 'docker' && i.runtime.rootless) return ['--user', '0:0'];
  const user = ['--user', `${i.uid}:${i.gid}`];
  return i.runtime.kind === 'podman' && i.runtime.rootless ? ['--userns=keep-id', ...user] : user;
}

/** `--cpus`, `--memory` (MiB), and GPUs when asked for: podman through CDI, docker through `--gpus`. */
export function resourceArgs(rt: Pick<ContainerRuntime, 'kind' | 'limits'>, r: Resources): string[] {
  const out: string[] = [];
  if (rt.limits) {
    out.push('--cpus', String(r.cpu));
    if (r.memory > 0) out.push('--memory', `${r.memory}m`);
  }
  if (r.gpu > 0) out.push(...(rt.kind === 'podman' ? ['--device', 'nvidia.com/gpu=all'] : ['--gpus', String(r.gpu)]));
  return out;
}

/** A host path under `root` as the container sees it; any other value unchanged. */
export function containerPath(value: string, root: string): string {
  if (value === root) return CONTAINER_ROOT;
  return value.startsWith(root + '/') ? CONTAINER_ROOT + value.slice(root.length) : value;
}

/**
 * `flowctl-<run>-<step>-<task>-<attempt>-<random>`, in the characters container names allow,
 * at most ~128 of them (a long step name is shortened).
 */
export function containerName(p: { runId: string; step: string; taskId: string; attempt: number; random: string }): string {
  const clean = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '_');
  const step = clean(p.step).slice(0, 48);
  return `flowctl-${clean(p.runId).slice(0, 40)}-${step}-${clean(p.taskId).slice(0, 20)}-${p.attempt}-${p.random}`;
}
