/**
 * Container tests need a working podman or docker and an image; no registry is reachable, so
 * images are built here: a root filesystem of Debian's static busybox (every applet linked),
 * imported as `localhost/flowctl-test-busybox:<content hash>`, once per machine (an image of
 * that tag is reused). Without a working runtime the tests are skipped, saying why; under
 * CI=true (.ci/run installs podman) a missing runtime fails them instead.
 */
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, symlink, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectRuntime, type ContainerRuntime } from '../../src/executors/container/runtime.js';
import { removeDir, tempDir } from './tmp.js';

const BUSYBOX = '/bin/busybox';
/** Bump to rebuild the test image when its recipe changes. */
const RECIPE = 'busybox-rootfs-v1';

export interface ContainerSupport {
  runtime?: ContainerRuntime;
  /** Why container tests cannot run here (undefined when they can). */
  skip?: string;
}

/** The runtime the tests use, or why they are skipped. Throws under CI=true when there is none. */
export async function containerSupport(): Promise<ContainerSupport> {
  const d = await detectRuntime();
  let skip: string | undefined;
  if ('problem' in d) skip = d.problem.message;
  else if (!existsSync(BUSYBOX)) skip = `${BUSYBOX} is missing (apt-get install busybox-static): the test image is built from it`;
  if (skip === undefined && 'runtime' in d) return { runtime: d.runtime };
  if (process.env.CI === 'true') throw new Error(`container tests must run under CI, but: ${skip} (.ci/run installs podman and busybox-static)`);
  process.stderr.write(`container tests skipped: ${skip}\n`);
  return { skip };
}

/** `bin args…` of the runtime; throws with its stderr when it fails (unless `reject: false`). */
export async function rt(runtime: ContainerRuntime, args: string[], o: { reject?: boolean; env?: NodeJS.ProcessEnv } = {}) {
  return execa(runtime.bin, args, { reject: o.reject ?? true, stdin: 'ignore', env: o.env });
}

/** The busybox test image (built once per machine and recipe), as `localhost/…:<hash>`. */
export async function busyboxImage(runtime: ContainerRuntime): Promise<string> {
  const hash = createHash('sha256').update(RECIPE).update(readFileSync(BUSYBOX)).digest('hex').slice(0, 16);
  const tag = `localhost/flowctl-test-busybox:${hash}`;
  return withLock(`image-${hash}`, async () => {
    if ((await rt(runtime, ['image', 'inspect', tag], { reject: false })).exitCode !== 0) await importRootfs(runtime, tag);
    return tag;
  });
}

/** Imports a fresh copy of the busybox root filesystem as `tag` (a new image id every time: its creation time differs). */
export async function importRootfs(runtime: ContainerRuntime, tag: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = await tempDir('flowctl-rootfs-');
  try {
    const root = path.join(dir, 'root');
    await mkdir(path.join(root, 'bin'), { recursive: true });
    await copyFile(BUSYBOX, path.join(root, 'bin/busybox'));
    await chmod(path.join(root, 'bin/busybox'), 0o755);
    const applets = (await execa(BUSYBOX, ['--list'])).stdout.split('\n').filter((a) => a && a !== 'busybox');
    await Promise.all(applets.map((a) => symlink('busybox', path.join(root, 'bin', a))));
    for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev']) await mkdir(path.join(root, d), { recursive: true });
    await chmod(path.join(root, 'tmp'), 0o1777);
    await writeFile(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    for (const [rel, content] of Object.entries(extra)) await writeFile(path.join(root, rel), content);
    const tar = path.join(dir, 'rootfs.tar');
    await execa('tar', ['-C', root, '-cf', tar, '.']);
    const out = await rt(runtime, ['import', '--change', 'ENV PATH=/bin', tar, tag]);
    return out.stdout.trim().split('\n').pop()!;
  } finally {
    await removeDir(dir);
  }
}

/** Names of containers (any state) whose label `key` is `value`. */
export async function containersLabelled(runtime: ContainerRuntime, key: string, value: string): Promise<string[]> {
  const r = await rt(runtime, ['ps', '--all', '--filter', `label=${key}=${value}`, '--format', '{{.Names}}']);
  return r.stdout.split('\n').filter((l) => l.trim());
}

/** Polls until `cond` holds (or throws after `ms`). */
export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

/** Serializes image builds across jest workers (a lock directory in the suite's temp dir). */
async function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), `flowctl-test-lock-${name}`);
  for (const until = Date.now() + 120_000; ;) {
    try {
      await mkdir(lock);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > until) throw e;
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}
