/**
 * Issue 13/14: a step that asks for an executor this flowctl cannot provide here (a container
 * runtime for image: when neither podman nor docker works, AWS Batch for executor: batch) is
 * rejected by validate and run with exit 2, naming the step, where it asked, and what to
 * install; it never runs on the host instead. Here PATH holds node and a `docker` whose daemon
 * cannot be reached (the case of this project's machines), and no podman.
 */
import { existsSync } from 'node:fs';
import { symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const FLOW = `version: 1
name: asks
defaults:
  executor: batch
steps:
  prep:
    run: touch ran-prep
    executor: local
  fit:
    run: touch ran-fit
    image: python:3.12
    executor: local
  remote:
    run: touch ran-remote
    image: python:3.12
`;

/** A PATH with node, no podman, and a docker without a daemon. */
async function noRuntimePath(): Promise<string> {
  const bin = await tempDir('flowctl-bin-');
  await symlink(process.execPath, path.join(bin, 'node'));
  await writeFile(path.join(bin, 'docker'), '#!/bin/sh\necho "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2\nexit 1\n', { mode: 0o755 });
  return bin;
}

test('validate and run exit 2 naming each step, its setting, both runtimes and how to install one', async () => {
  const dir = await makeProject({ 'flow.yaml': FLOW });
  const env = { PATH: await noRuntimePath(), FLOWCTL_CONTAINER_RUNTIME: undefined };
  const v = await flowctl(['validate', 'flow.yaml'], { cwd: dir, env });
  expect(v.exitCode).toBe(2);
  expect(v.stderr).toContain("flow.yaml:11:12: step 'fit' asks for image: python:3.12, but container steps (image:) need podman or docker, and neither works here: " +
    'podman is not found on PATH; docker does not work: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' +
    '  hint: install podman (Debian/Ubuntu: apt-get install podman runc');
  expect(v.stderr).toContain("flow.yaml:4:13: step 'remote' asks for executor: batch, but AWS Batch jobs need an S3 datastore (they read their inputs and write their outputs there), and this run's store is a local .flowctl/ directory");
  expect(v.stderr).not.toContain("step 'prep'");

  const r = await flowctl(['run', 'flow.yaml'], { cwd: dir, env });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain("step 'fit' asks for image: python:3.12, but container steps (image:) need podman or docker");
  for (const f of ['ran-prep', 'ran-fit', 'ran-remote']) expect(existsSync(path.join(dir, f))).toBe(false);
  expect(existsSync(path.join(dir, '.flowctl', 'flows'))).toBe(false);
});

test('FLOWCTL_CONTAINER_RUNTIME picks the runtime; one that does not work is named', async () => {
  const dir = await makeProject({ 'flow.yaml': 'version: 1\nname: one\nsteps:\n  fit:\n    run: "true"\n    image: python:3.12\n' });
  const bin = await noRuntimePath();
  const v = await flowctl(['validate', 'flow.yaml'], { cwd: dir, env: { PATH: bin, FLOWCTL_CONTAINER_RUNTIME: path.join(bin, 'docker') } });
  expect(v.exitCode).toBe(2);
  expect(v.stderr).toContain(`flow.yaml:6:12: step 'fit' asks for image: python:3.12, but the container runtime FLOWCTL_CONTAINER_RUNTIME names (${path.join(bin, 'docker')}) does not work: Cannot connect to the Docker daemon`);
  const odd = await flowctl(['validate', 'flow.yaml'], { cwd: dir, env: { PATH: bin, FLOWCTL_CONTAINER_RUNTIME: 'nerdctl' } });
  expect(odd.stderr).toContain('FLOWCTL_CONTAINER_RUNTIME=nerdctl names neither podman nor docker\n  hint: set FLOWCTL_CONTAINER_RUNTIME to podman, docker, or the path of one of them');
});

test('a flow without container steps never asks for a runtime (validate stays fast and works without one)', async () => {
  const dir = await makeProject({ 'flow.yaml': 'version: 1\nname: plain\nsteps:\n  a: { run: "true" }\n' });
  const v = await flowctl(['validate', 'flow.yaml'], { cwd: dir, env: { PATH: await noRuntimePath(), FLOWCTL_CONTAINER_RUNTIME: 'nerdctl' } });
  expect(v.exitCode).toBe(0);
  expect(v.stdout).toBe('ok flow.yaml');
});

test('--json reports them as problems with rule "executor"', async () => {
  const dir = await makeProject({ 'flow.yaml': FLOW });
  const v = await flowctl(['validate', '--json', 'flow.yaml'], { cwd: dir, env: { PATH: await noRuntimePath() } });
  expect(v.exitCode).toBe(2);
  const report = JSON.parse(v.stdout);
  expect(report.files[0].problems.map((p: { rule: string; line: number }) => [p.rule, p.line])).toEqual([['executor', 4], ['executor', 11]]);
});
