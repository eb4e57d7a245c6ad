/**
 * No container outlives its attempt (issue 14): not after flowctl is killed with SIGKILL (the
 * spawner removes it), not after a crash of both (the next run sweeps containers of dead
 * owners by label); and the cache key covers the image's id, so a re-tagged image re-runs.
 */
import { execa } from 'execa';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { readProc } from '../../src/executors/process-tree.js';
import { BIN, flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { busyboxImage, containersLabelled, containerSupport, importRootfs, rt, waitFor, type ContainerSupport } from '../helpers/containers.js';

const support: ContainerSupport = await containerSupport();
const maybe = support.runtime ? describe : describe.skip;

maybe(`container lifecycle (${support.runtime?.kind ?? 'no runtime'})`, () => {
  const runtime = support.runtime!;
  let image: string;
  beforeAll(async () => {
    image = await busyboxImage(runtime);
  }, 180_000);

  test('kill -9 of flowctl removes its running container; the resumed run leaves none either', async () => {
    const dir = await makeProject({
      'flow.yaml': `version: 1\nname: killed\nparams:\n  nap: { type: integer, default: 120 }\nsteps:\n  nap:\n    image: ${image}\n    run: echo napping; sleep \${{ params.nap }}; echo woke > woke.txt\n    outputs: [woke.txt]\n`,
    });
    const sub = execa('node', [BIN, 'run', 'flow.yaml', '--output', 'plain'], { cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester' } });
    let err = '';
    sub.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor('the container to run', () => err.includes('nap/0 | napping'), 90_000);
    const id = /run (\S+) of flow killed/.exec(err)![1]!;
    expect(await containersLabelled(runtime, 'flowctl.run', id)).toHaveLength(1);
    sub.kill('SIGKILL');
    await sub;
    await waitFor('the container to be removed', async () => (await containersLabelled(runtime, 'flowctl.run', id)).length === 0, 30_000);

    const r = await flowctl(['resume', id, '--force', '-p', 'nap=0', '--output', 'plain'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const resumed = runIdFrom(r);
    expect(await StoreReader.of(dir).output('killed', resumed, 'nap', '0', 'woke.txt')).toBe('woke\n');
    expect(await containersLabelled(runtime, 'flowctl.run', id)).toEqual([]);
    expect(await containersLabelled(runtime, 'flowctl.run', resumed)).toEqual([]);
  }, 240_000);

  test('Ctrl-C stops and removes the running container; the run is interrupted (exit 130)', async () => {
    const dir = await makeProject({
      'flow.yaml': `version: 1\nname: stopped\nsteps:\n  nap:\n    image: ${image}\n    run: echo napping; sleep 120\n`,
    });
    const sub = execa('node', [BIN, 'run', 'flow.yaml', '--output', 'plain'], { cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester' } });
    let err = '';
    sub.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await waitFor('the container to run', () => err.includes('nap/0 | napping'), 90_000);
    const id = /run (\S+) of flow stopped/.exec(err)![1]!;
    expect(await containersLabelled(runtime, 'flowctl.run', id)).toHaveLength(1);
    const t0 = Date.now();
    sub.kill('SIGINT');
    const r = await sub;
    expect(r.exitCode).toBe(130);
    // Well before the command's own end: the container was stopped, not waited for.
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(await containersLabelled(runtime, 'flowctl.run', id)).toEqual([]);
    const a = await StoreReader.of(dir).json(`flows/stopped/runs/${id}/steps/nap/tasks/0/attempts/1/attempt.json`);
    expect(a).toMatchObject({ state: 'interrupted', executor: runtime.kind, image });
  }, 180_000);

  test('the next run removes containers whose flowctl is gone, and only those', async () => {
    const tag = randomBytes(4).toString('hex');
    const dead = Number((await execa('sh', ['-c', 'echo $$'])).stdout);
    const labels = (pid: number, start: string, run: string) =>
      ['--label', `flowctl.pid=${pid}`, '--label', `flowctl.start=${start}`, '--label', `flowctl.host=${os.hostname()}`, '--label', `flowctl.run=${run}`];
    await rt(runtime, ['run', '-d', '--name', `flowctl-test-dead-${tag}`, ...labels(dead, '1', `dead-${tag}`), image, 'sleep', '600']);
    await rt(runtime, ['run', '-d', '--name', `flowctl-test-live-${tag}`, ...labels(process.pid, readProc(process.pid)!.start, `live-${tag}`), image, 'sleep', '600']);
    try {
      const dir = await makeProject({ 'flow.yaml': `version: 1\nname: sweeper\nsteps:\n  hi:\n    image: ${image}\n    run: echo hi\n` });
      const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
      expect(r.exitCode).toBe(0);
      expect(await containersLabelled(runtime, 'flowctl.run', `dead-${tag}`)).toEqual([]);
      expect(await containersLabelled(runtime, 'flowctl.run', `live-${tag}`)).toEqual([`flowctl-test-live-${tag}`]);
    } finally {
      for (const name of [`flowctl-test-live-${tag}`, `flowctl-test-dead-${tag}`]) await rt(runtime, ['rm', '--force', name], { reject: false });
    }
  }, 180_000);

  test('the cache key covers the image id: the same tag on another image runs the step again', async () => {
    const tag = `localhost/flowctl-test-retag:${randomBytes(4).toString('hex')}`;
    await rt(runtime, ['tag', image, tag]);
    try {
      const dir = await makeProject({ 'flow.yaml': `version: 1\nname: retag\nsteps:\n  make:\n    image: ${tag}\n    run: ls /etc > etc.txt\n    outputs: [etc.txt]\n` });
      const s = StoreReader.of(dir);
      const first = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd: dir }));
      const again = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd: dir }));
      expect(await s.task('retag', again, 'make')).toMatchObject({ state: 'cached', cachedFrom: { runId: first } });
      await importRootfs(runtime, tag, { 'etc/motd': 'another image\n' });
      const third = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd: dir }));
      const [a, c] = [await s.task('retag', first, 'make'), await s.task('retag', third, 'make')];
      expect(c.state).toBe('succeeded');
      expect(c.keyParts.image).not.toBe(a.keyParts.image);
      expect(await s.output('retag', third, 'make', '0', 'etc.txt')).toContain('motd');
    } finally {
      await rt(runtime, ['rmi', tag], { reject: false });
    }
  }, 180_000);
});
