/**
 * Container steps end to end (issue 14), with the real runtime (podman here and in CI) and the
 * built CLI: data both ways between host and container steps, retries, failures that name the
 * image, what a container can see, and containers removed on every ending.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { busyboxImage, containersLabelled, containerSupport, type ContainerSupport } from '../helpers/containers.js';
import { tempDir } from '../helpers/tmp.js';

const support: ContainerSupport = await containerSupport();
const maybe = support.runtime ? describe : describe.skip;

maybe(`container steps (${support.runtime?.kind ?? 'no runtime'})`, () => {
  const runtime = support.runtime!;
  let image: string;
  beforeAll(async () => {
    image = await busyboxImage(runtime);
  }, 180_000);

  test('a flow mixing host and container steps passes files and FLOW_VALUES both ways, as the invoking user, seeing only its task directory', async () => {
    const outside = await tempDir('flowctl-outside-');
    await writeFile(path.join(outside, 'host-only.txt'), 'host secret file\n');
    const secret = `tok-${Date.now()}-xyzzy`;
    const dir = await makeProject({
      'scripts/say.sh': 'echo "project code runs in the container"\n',
      'flow.yaml': `
version: 1
name: boxes
params:
  token: { type: string, secret: true, default: "" }
steps:
  prep:
    run: printf 'from the host\\n' > data.txt && echo count=3 >> "$FLOW_VALUES"
    outputs: [data.txt]
  boxed:
    needs: [prep]
    image: ${image}
    resources: { cpu: 0.5, memory: 64 }
    network: none
    env: { GREETING: hello }
    run: |
      cat data.txt > seen.txt
      echo count is \${{ steps.prep.values.count }} >> seen.txt
      echo "$GREETING from $(id -u):$(id -g) in $PWD" >> seen.txt
      echo "task dir $FLOW_TASK_DIR, values $FLOW_VALUES" >> seen.txt
      sh scripts/say.sh >> seen.txt
      printf %s "$FLOW_PARAM_TOKEN" | wc -c > token-length.txt
      echo "token=$FLOW_PARAM_TOKEN"
      (cat /sys/fs/cgroup/memory.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes) > limits.txt
      (cat /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us) >> limits.txt
      for p in ${path.join(outside, 'host-only.txt')} ${outside} /proc/1/root${outside}; do ls "$p" >/dev/null 2>&1 && echo "can see $p" >> seen.txt; done
      mkdir -p out && echo nested > out/inner.txt
      echo made=boxed >> "$FLOW_VALUES"
      ls /flowctl > mounted.txt
      tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' > networks.txt
      sleep 2
    outputs: [seen.txt, token-length.txt, limits.txt, mounted.txt, networks.txt, out]
  after:
    needs: [boxed]
    run: cat seen.txt out/inner.txt > final.txt && echo made=\${{ steps.boxed.values.made }} >> final.txt
    outputs: [final.txt]
`,
    });
    const run = flowctl(['run', 'flow.yaml', '--output', 'plain', '-p', `token=${secret}`], { cwd: dir });
    // While the container runs: the runtime's command line never holds the secret.
    const argvs = new Set<string>();
    const watch = setInterval(() => {
      for (const cmd of commandLines('--label')) argvs.add(cmd);
    }, 100);
    const r = await run.finally(() => clearInterval(watch));
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    const s = StoreReader.of(dir);
    const uid = process.getuid!();
    const gid = process.getgid!();
    expect(await s.output('boxes', id, 'boxed', '0', 'seen.txt')).toBe(
      `from the host\ncount is 3\nhello from ${uid}:${gid} in /flowctl/work\ntask dir /flowctl/work, values /flowctl/values\nproject code runs in the container\n`);
    expect((await s.output('boxes', id, 'boxed', '0', 'token-length.txt')).trim()).toBe(String(secret.length));
    expect((await s.output('boxes', id, 'boxed', '0', 'mounted.txt')).split('\n').filter(Boolean)).toEqual(['values', 'work']);
    // network: none leaves the container only its loopback interface.
    expect(await s.output('boxes', id, 'boxed', '0', 'networks.txt')).toBe('lo\n');
    const limits = (await s.output('boxes', id, 'boxed', '0', 'limits.txt')).split('\n');
    expect(limits[0]).toBe(String(64 * 2 ** 20));
    expect(limits[1]).toMatch(/^50000( 100000)?$/);
    expect(await s.output('boxes', id, 'after', '0', 'final.txt')).toContain('nested\nmade=boxed\n');
    // Outputs written in the container belong to the invoking user.
    const task = await s.task('boxes', id, 'boxed');
    for (const o of task.outputs) {
      if (o.type === 'file') expect(statSync(s.objectPath(o.hash)).uid).toBe(uid);
    }
    expect(task.values).toEqual({ made: 'boxed' });
    expect(task.keyParts.image).toMatch(/^sha256:[0-9a-f]{64}$/);
    const attempt = await s.json(`flows/boxes/runs/${id}/steps/boxed/tasks/0/attempts/1/attempt.json`);
    expect(attempt).toMatchObject({ executor: runtime.kind, image, imageDigest: task.keyParts.image });
    expect(await s.log('boxes', id, 'boxed', '0')).toContain('token=***\n');
    expect(r.stderr).toContain(`task boxed/0: started in ${image} (${task.keyParts.image.slice(0, 19)})`);
    expect(argvs.size).toBeGreaterThan(0);
    for (const cmd of argvs) expect(cmd).not.toContain(secret);
    const show = await flowctl(['show', `${id}/boxed/0`], { cwd: dir });
    expect(show.stdout).toMatch(new RegExp(`image\\s+${image.replace(/[.:/]/g, '\\$&')} \\(${task.keyParts.image}\\)`));
    expect(await containersLabelled(runtime, 'flowctl.run', id)).toEqual([]);
  }, 180_000);

  test('a failing container step is retried; failures that are the image\'s say so and name it; a modified input is caught', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: troubles
defaults:
  catch: true
steps:
  prep:
    run: echo original > data.txt
    outputs: [data.txt]
  flaky:
    image: ${image}
    retry: 1
    run: if [ "$FLOW_ATTEMPT" = 1 ]; then echo failing once >&2; exit 3; fi; echo ok > ok.txt
    outputs: [ok.txt]
  tamper:
    needs: [prep]
    image: ${image}
    run: chmod u+w data.txt && echo tampered >> data.txt
  absent:
    image: localhost/flowctl-test-absent:nope
    pull: never
    run: echo never
  badname:
    image: "Not A Valid Name"
    run: echo never
  badpullname:
    image: Upper/Case:1
    pull: always
    run: echo never
  noshell:
    image: ${image}
    shell: bash
    run: echo never
  badnet:
    image: ${image}
    network: flowctl-no-such-network
    run: echo never
  pullfail:
    image: ${image}
    pull: always
    run: echo never
`,
    });
    const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.exitCode).toBe(0);
    const id = runIdFrom(r);
    const s = StoreReader.of(dir);
    expect(await s.task('troubles', id, 'flaky')).toMatchObject({ state: 'succeeded', attempts: 2 });
    expect(await s.json(`flows/troubles/runs/${id}/steps/flaky/tasks/0/attempts/1/attempt.json`)).toMatchObject({ state: 'failed', exitCode: 3, reason: 'exit code 3' });
    expect(await s.log('troubles', id, 'flaky', '0', 1, 'stderr')).toBe('failing once\n');
    expect(r.stderr).toMatch(/task flaky\/0: attempt 1 failed: exit code 3; retrying/);

    const tamper = await s.task('troubles', id, 'tamper');
    expect(tamper).toMatchObject({ state: 'failed', caught: true });
    expect(tamper.reason).toMatch(/modified its staged input data\.txt in place/);
    expect(await s.output('troubles', id, 'prep', '0', 'data.txt').catch(() => 'quarantined')).not.toContain('tampered');

    expect(await s.task('troubles', id, 'absent')).toMatchObject({
      state: 'failed', attempts: 0,
      reason: `image localhost/flowctl-test-absent:nope is not present locally, and pull: never forbids pulling it; load, build or pull it first (${runtime.kind} pull localhost/flowctl-test-absent:nope)`,
    });
    expect((await s.task('troubles', id, 'badname')).reason).toMatch(/^'Not A Valid Name' is not a valid image name \(/);
    expect(await s.task('troubles', id, 'badpullname')).toMatchObject({ state: 'failed', attempts: 0, reason: expect.stringMatching(/^'Upper\/Case:1' is not a valid image name \(.*lowercase/) });
    const noshell = await s.task('troubles', id, 'noshell');
    expect(noshell.reason).toMatch(new RegExp(`^could not start: image ${image.replace(/[.:/]/g, '\\$&')} has no bash \\(the shell of run:\\): .*; use an image with bash, or shell: sh$`));
    expect((await s.task('troubles', id, 'pullfail')).reason).toMatch(new RegExp(`^could not pull image ${image.replace(/[.:/]/g, '\\$&')} \\(pull: always\\): .+`));
    const badnet = await s.task('troubles', id, 'badnet');
    expect(badnet.reason).toMatch(new RegExp(`^could not start: ${runtime.kind} could not run the container \\(image ${image.replace(/[.:/]/g, '\\$&')}\\): .*flowctl-no-such-network`));
    expect(await containersLabelled(runtime, 'flowctl.run', id)).toEqual([]);
  }, 180_000);

  test('a timed-out container is stopped and removed', async () => {
    const dir = await makeProject({
      'flow.yaml': `version: 1\nname: slow\nsteps:\n  nap:\n    image: ${image}\n    timeout: 2s\n    run: echo napping; sleep 120\n`,
    });
    const t0 = Date.now();
    const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(Date.now() - t0).toBeLessThan(60_000);
    const id = runIdFrom(r);
    const a = await StoreReader.of(dir).json(`flows/slow/runs/${id}/steps/nap/tasks/0/attempts/1/attempt.json`);
    expect(a).toMatchObject({ state: 'timeout', reason: 'timed out after 2s' });
    expect(await containersLabelled(runtime, 'flowctl.run', id)).toEqual([]);
  }, 120_000);
});

/** Command lines of live processes that contain `marker` (the runtime CLI's, while a container runs). */
function commandLines(marker: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(marker) && cmd.includes('flowctl.pid')) out.push(cmd);
    } catch {
      // gone
    }
  }
  return out;
}
