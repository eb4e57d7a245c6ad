/**
 * A runtime that answers its probe but cannot start containers (podman with crun on a VM that
 * may not set rlimits, the case issue 14 names): each container task fails before it starts,
 * naming the image, the runtime's own error and the README section that fixes it. A stand-in
 * podman CLI plays the broken runtime, so this runs everywhere.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const CRUN = 'Error: OCI runtime error: crun: setrlimit `RLIMIT_NOFILE`: Operation not permitted';

test('podman that cannot set rlimits: the task fails naming the image, the error and the fix; nothing is left to remove', async () => {
  const bin = await tempDir('flowctl-bin-');
  const podman = path.join(bin, 'podman');
  const calls = path.join(bin, 'calls.log');
  await writeFile(podman, `#!/bin/sh
[ "$1" = --log-level=error ] && shift
echo "$1" >> ${JSON.stringify(calls)}
case "$1" in
  image) echo ${'a'.repeat(64)} ;;
  run) echo '${CRUN}' >&2; exit 126 ;;
esac
exit 0
`, { mode: 0o755 });
  const dir = await makeProject({ 'flow.yaml': 'version: 1\nname: broken\nsteps:\n  boxed:\n    image: busybox:1\n    run: echo never\n' });
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir, env: { FLOWCTL_CONTAINER_RUNTIME: podman } });
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.exitCode).toBe(1);
  const task = await StoreReader.of(dir).task('broken', runIdFrom(r), 'boxed');
  expect(task.reason).toBe(`could not start: podman could not run the container (image busybox:1): ${CRUN}; podman needs configuring on this machine ` +
    '(runc, cgroupfs, default_ulimits): see the README section "Setting up podman on a fresh Debian machine"');
  // The failed start is followed by a removal of whatever the runtime left.
  expect((await readFile(calls, 'utf8')).split('\n')).toEqual(expect.arrayContaining(['run', 'rm']));
});
