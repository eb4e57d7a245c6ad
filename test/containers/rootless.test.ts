/**
 * A non-root user's container steps (rootless podman, `--userns=keep-id`): files written in the
 * container belong to that user afterwards, and nothing is left running. The whole CLI runs as
 * the user `flowctl-rootless` (created by .ci/run, with subordinate ids for its user
 * namespace). Needs root to switch users; elsewhere (or without that user) it is skipped,
 * saying why, except under CI=true.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { containerSupport, type ContainerSupport } from '../helpers/containers.js';
import { tempDir } from '../helpers/tmp.js';

const USER = 'flowctl-rootless';
const account = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')).find((f) => f[0] === USER);
const root = process.getuid?.() === 0;
const support: ContainerSupport = await containerSupport();

let skip: string | undefined = support.skip;
if (!skip && support.runtime?.kind !== 'podman') skip = `rootless runs are tested with podman, and the runtime here is ${support.runtime?.kind}`;
if (!skip && !root) skip = 'switching to another user needs root (as a normal user, the other container tests already run rootless)';
if (!skip && !account) skip = `there is no user ${USER} (useradd --create-home ${USER}; .ci/run makes it)`;
if (skip && support.runtime && process.env.CI === 'true') throw new Error(`the rootless container test must run under CI, but: ${skip}`);
if (skip && !support.skip) process.stderr.write(`rootless container test skipped: ${skip}\n`);
const maybe = skip ? describe.skip : describe;

maybe('container steps of a non-root user (rootless podman)', () => {
  const uid = Number(account?.[2]);
  const gid = Number(account?.[3]);
  const home = account?.[5] ?? '';
  const bin = support.runtime?.bin ?? 'podman';

  /**
   * Runs a command as the user, with its own HOME (rootless podman keeps its storage there) and
   * without the suite's TMPDIR (podman keeps its runtime directory there while it lives).
   */
  function asUser(file: string, args: string[], cwd: string) {
    // CAP_DAC_READ_SEARCH lets node read the repository wherever it is cloned (e.g. under /root).
    const caps = ['--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search'];
    return execa('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--init-groups', ...caps, '--', file, ...args], {
      cwd, reject: false, extendEnv: false, env: { HOME: home, PATH: process.env.PATH, FLOWCTL_USER: 'tester' },
    });
  }

  test('outputs written in the container are owned by the user; no container is left', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: rootless
steps:
  boxed:
    image: IMAGE
    run: id -u > uid.txt && mkdir -p out && echo inner > out/file.txt && echo who=$(id -u) >> "$FLOW_VALUES"
    outputs: [uid.txt, out]
  after:
    needs: [boxed]
    run: cat uid.txt out/file.txt > both.txt
    outputs: [both.txt]
`,
    });
    await execa('chown', ['-R', `${uid}:${gid}`, dir]);
    const image = await userImage(dir);
    await writeFile(path.join(dir, 'flow.yaml'), readFileSync(path.join(dir, 'flow.yaml'), 'utf8').replace('IMAGE', image));
    const r = await asUser(process.execPath, [BIN, 'run', 'flow.yaml', '--output', 'plain'], dir);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom({ exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) });
    const s = StoreReader.of(dir);
    expect(await s.output('rootless', id, 'boxed', '0', 'uid.txt')).toBe(`${uid}\n`);
    expect(await s.output('rootless', id, 'after', '0', 'both.txt')).toBe(`${uid}\ninner\n`);
    const task = await s.task('rootless', id, 'boxed');
    expect(task.values).toEqual({ who: uid });
    for (const o of task.outputs) if (o.type === 'file') expect(statSync(s.objectPath(o.hash)).uid).toBe(uid);
    const left = await asUser(bin, ['ps', '--all', '--filter', `label=flowctl.run=${id}`, '--format', '{{.Names}}'], dir);
    expect(left.exitCode).toBe(0);
    expect(String(left.stdout).trim()).toBe('');
  }, 240_000);

  /** The busybox test image in the user's own image store (imported once per content). */
  async function userImage(work: string): Promise<string> {
    const busybox = readFileSync('/bin/busybox');
    const tag = `localhost/flowctl-test-busybox:${createHash('sha256').update('rootless-v1').update(busybox).digest('hex').slice(0, 16)}`;
    if ((await asUser(bin, ['image', 'exists', tag], work)).exitCode === 0) return tag;
    const rootfs = await tempDir('flowctl-rootfs-');
    await mkdir(path.join(rootfs, 'root/bin'), { recursive: true });
    await mkdir(path.join(rootfs, 'root/tmp'), { recursive: true, mode: 0o1777 });
    await writeFile(path.join(rootfs, 'root/bin/busybox'), busybox, { mode: 0o755 });
    for (const a of ['sh', 'id', 'mkdir', 'echo', 'cat']) await execa('ln', ['-s', 'busybox', path.join(rootfs, 'root/bin', a)]);
    await execa('tar', ['-C', path.join(rootfs, 'root'), '-cf', path.join(rootfs, 'rootfs.tar'), '.']);
    await execa('chown', ['-R', `${uid}:${gid}`, rootfs]);
    const r = await asUser(bin, ['import', '--change', 'ENV PATH=/bin', path.join(rootfs, 'rootfs.tar'), tag], work);
    if (r.exitCode !== 0) throw new Error(`podman import as ${USER} failed: ${r.stderr}`);
    return tag;
  }
});
