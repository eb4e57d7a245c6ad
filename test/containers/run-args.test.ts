/** The runtime's command line for one attempt (pure): what is mounted, who runs, what is passed, and how. */
import { containerName, containerPath, resourceArgs, runArgs, type RunArgsInput } from '../../src/executors/container/run-args.js';

const base: RunArgsInput = {
  runtime: { kind: 'podman', rootless: false, limits: true },
  uid: 1000, gid: 1000, name: 'flowctl-r-s-0-1-ab', labels: { 'flowctl.run': 'r' },
  image: 'sha256:' + 'a'.repeat(64), shell: 'sh', command: 'echo "$TOKEN" > out.txt',
  root: '/store/tmp/tasks/r/container-slot-0', cwd: '/store/tmp/tasks/r/container-slot-0/work',
  env: { FLOW_STEP: 's', FLOW_VALUES: '/store/tmp/tasks/r/container-slot-0/values', TOKEN: 'hunter2-secret', PLAIN: 'x=y' },
  secret: (name) => name === 'TOKEN', resources: { cpu: 2, memory: 512, gpu: 0 },
};

test('only the slot is mounted, at /flowctl; paths in it are rewritten; the image entrypoint is bypassed', () => {
  const { args } = runArgs(base);
  expect(args.slice(0, 5)).toEqual(['--log-level=error', 'run', '--rm', '--init', '--name']);
  expect(args.filter((a) => a === '--volume' || a === '-v' || a === '--mount')).toEqual(['--volume']);
  expect(args).toContain('/store/tmp/tasks/r/container-slot-0:/flowctl:rw');
  expect(args.join(' ')).toContain('--workdir /flowctl/work');
  expect(args).toContain('FLOW_VALUES=/flowctl/values');
  expect(args.slice(-5)).toEqual(['--entrypoint', 'sh', base.image, '-c', base.command]);
  expect(args).toEqual(expect.arrayContaining(['--cap-drop=ALL', 'no-new-privileges', '--pull=never', '--label', 'flowctl.run=r']));
});

test('a secret value is never an argument: --env NAME, its value in the CLI\'s own environment', () => {
  const { args, cliEnv } = runArgs(base);
  expect(args.join('\0')).not.toContain('hunter2');
  expect(args[args.indexOf('TOKEN') - 1]).toBe('--env');
  expect(cliEnv).toEqual({ TOKEN: 'hunter2-secret' });
  expect(args).toContain('PLAIN=x=y');
  expect(() => runArgs({ ...base, env: { PATH: 'secret' }, secret: () => true })).toThrow(/secret variable PATH cannot be handed to a container: podman itself reads/);
});

test('the invoking user runs the container: keep-id when rootless podman, root of a rootless docker, else --user UID:GID', () => {
  const user = (rt: RunArgsInput['runtime']) => {
    const a = runArgs({ ...base, runtime: rt }).args;
    return a.filter((x, i) => x.startsWith('--userns') || a[i - 1] === '--user' || x === '--user');
  };
  expect(user({ kind: 'podman', rootless: false, limits: true })).toEqual(['--user', '1000:1000']);
  expect(user({ kind: 'podman', rootless: true, limits: true })).toEqual(['--userns=keep-id', '--user', '1000:1000']);
  expect(user({ kind: 'docker', rootless: true, limits: true })).toEqual(['--user', '0:0']);
  expect(user({ kind: 'docker', rootless: false, limits: true })).toEqual(['--user', '1000:1000']);
  expect(runArgs({ ...base, runtime: { kind: 'docker', rootless: false, limits: true } }).args[0]).toBe('run');
});

test('resources: --cpus always, --memory in MiB when set, GPUs only when asked; none where limits cannot apply', () => {
  const podman = { kind: 'podman' as const, limits: true };
  expect(resourceArgs(podman, { cpu: 0.5, memory: 0, gpu: 0 })).toEqual(['--cpus', '0.5']);
  expect(resourceArgs(podman, { cpu: 2, memory: 4096, gpu: 1 })).toEqual(['--cpus', '2', '--memory', '4096m', '--device', 'nvidia.com/gpu=all']);
  expect(resourceArgs({ kind: 'docker', limits: true }, { cpu: 1, memory: 0, gpu: 2 })).toEqual(['--cpus', '1', '--gpus', '2']);
  expect(resourceArgs({ kind: 'podman', limits: false }, { cpu: 1, memory: 64, gpu: 0 })).toEqual([]);
  expect(runArgs({ ...base, network: 'none' }).args.join(' ')).toContain('--network none');
  expect(runArgs(base).args).not.toContain('--network');
});

test('paths, names', () => {
  expect(containerPath('/a/slot', '/a/slot')).toBe('/flowctl');
  expect(containerPath('/a/slot/work/x', '/a/slot')).toBe('/flowctl/work/x');
  expect(containerPath('/a/slotty', '/a/slot')).toBe('/a/slotty');
  expect(() => runArgs({ ...base, root: '/a:b/slot', cwd: '/a:b/slot/work' })).toThrow(/contains ':'/);
  const name = containerName({ runId: '20261130T113358.745Z-rsxqsy', step: 'per_fold.fit', taskId: '2.1', attempt: 3, random: 'abcd' });
  expect(name).toBe('flowctl-20261130T113358.745Z-rsxqsy-per_fold.fit-2.1-3-abcd');
  expect(containerName({ runId: 'r', step: 's'.repeat(300), taskId: '0', attempt: 1, random: 'x' }).length).toBeLessThan(128);
});
