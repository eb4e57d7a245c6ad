/**
 * Which container runtime is used (src/executors/container/runtime.ts), with stand-in CLIs: a
 * runtime counts only when it answers its probe, FLOWCTL_CONTAINER_RUNTIME picks one, and a
 * failure says what each candidate answered.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { detectRuntime, kindOf } from '../../src/executors/container/runtime.js';
import { tempDir } from '../helpers/tmp.js';

async function bin(scripts: Record<string, string>): Promise<string> {
  const dir = await tempDir('flowctl-bin-');
  for (const [name, body] of Object.entries(scripts)) await writeFile(path.join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return dir;
}

const NO_DAEMON = 'echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2; exit 1';
const root = process.getuid?.() === 0;

test('podman is preferred when it works; its probe opens its storage (ps)', async () => {
  const dir = await bin({ podman: `[ "$2" = ps ] && exit 0; exit 9`, docker: 'echo "[]"' });
  const d = await detectRuntime({ PATH: dir });
  expect(d).toEqual({ runtime: { kind: 'podman', bin: path.join(dir, 'podman'), rootless: !root, limits: expect.any(Boolean) } });
});

test('a docker CLI without a reachable daemon is not available; a working docker is used after a broken podman', async () => {
  const broken = await bin({ podman: 'echo "Error: cannot open database: permission denied" >&2; exit 125', docker: NO_DAEMON });
  expect(await detectRuntime({ PATH: broken })).toEqual({
    problem: {
      message: 'container steps (image:) need podman or docker, and neither works here: podman does not work: Error: cannot open database: permission denied; ' +
        'docker does not work: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
      hint: expect.stringContaining('apt-get install podman runc'),
    },
  });
  const rootless = await bin({ podman: 'exit 125', docker: `echo '["name=seccomp,profile=builtin","name=rootless"]'` });
  expect(await detectRuntime({ PATH: rootless })).toMatchObject({ runtime: { kind: 'docker', rootless: true } });
});

test('FLOWCTL_CONTAINER_RUNTIME: a name or a path; the other runtime is not tried', async () => {
  const dir = await bin({ podman: 'exit 0', docker: NO_DAEMON });
  expect(await detectRuntime({ PATH: dir, FLOWCTL_CONTAINER_RUNTIME: 'docker' })).toEqual({
    problem: { message: expect.stringMatching(/^the container runtime FLOWCTL_CONTAINER_RUNTIME names \(docker\) does not work: Cannot connect/), hint: expect.any(String) },
  });
  expect(await detectRuntime({ PATH: '/nonexistent', FLOWCTL_CONTAINER_RUNTIME: path.join(dir, 'podman') })).toMatchObject({ runtime: { kind: 'podman', bin: path.join(dir, 'podman') } });
  expect(await detectRuntime({ PATH: dir, FLOWCTL_CONTAINER_RUNTIME: '/opt/none/podman' })).toMatchObject({
    problem: { message: 'the container runtime FLOWCTL_CONTAINER_RUNTIME names (/opt/none/podman) is not found' },
  });
  expect(kindOf('/usr/bin/podman-remote')).toBe('podman');
  expect(kindOf('nerdctl')).toBeUndefined();
});
