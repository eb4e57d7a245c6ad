// Per-task overhead of a trivial container step (issue 14): flowctl running `true` in a container,
// one task at a time, against a bare `podman run --rm IMAGE sh -c true` of the same image (goal
// <= 1.2x). flowctl's fixed cost per run (start-up, the runtime probe, resolving the image once,
// the sweep of leftovers) is left out by timing runs of 1 and of 1 + N tasks: per task is the
// difference over N. The image is built here from Debian's busybox-static (no registry needed).
// Without a working podman (or FLOWCTL_CONTAINER_RUNTIME) or /bin/busybox it says why and
// measures nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { flowctl, median, quick, removeAndSettle, report, timeOnce, tmpProject } from './lib.mjs';

const BUSYBOX = '/bin/busybox';
const runtime = process.env.FLOWCTL_CONTAINER_RUNTIME || 'podman';

const why = unavailable();
if (why) {
  console.log(`\ncontainer step overhead: skipped (${why})`);
  process.exit(0);
}

const n = quick ? 6 : 10;
const reps = quick ? 1 : 3;
const image = buildImage();
const dir = tmpProject({
  'flow.yaml': `version: 1
name: boxbench
params:
  n: { type: integer, default: 1 }
steps:
  t:
    foreach: \${{ range(params.n) }}
    image: ${image}
    run: "true"
`,
});
const bare = [];
const perTask = [];
const bareRuns = (k) => Array.from({ length: k }, () => timeOnce(runtime, ['run', '--rm', image, 'sh', '-c', 'true']));
// A fresh store per run (nothing cached), deleted only at the end (see removeAndSettle).
const run = (tasks, name) => flowctl(['run', 'flow.yaml', '-j', '1', '--output', 'plain', '-p', `n=${tasks}`, '--datastore', path.join(dir, name)], dir);
bareRuns(1); // warm the image and the runtime's storage
for (let i = 0; i < reps; i++) {
  // Bare runs on both sides of flowctl's, so a machine whose load drifts weighs on both alike.
  const before = bareRuns(Math.ceil(n / 2));
  const one = run(1, `one-${i}`);
  const many = run(1 + n, `many-${i}`);
  const after = bareRuns(Math.floor(n / 2));
  bare.push([...before, ...after].reduce((a, b) => a + b, 0) / n);
  perTask.push((many - one) / n);
}
removeAndSettle(dir);
const floor = median(bare);
const ours = median(perTask);
const ratio = ours / floor;
report([
  { name: `bare \`${path.basename(runtime)} run --rm\` of a busybox image (floor), per container`, value: floor, unit: 'ms' },
  { name: `flowctl container step \`true\`, per task (runs of 1 and ${1 + n} tasks, 1 worker)`, value: ours, unit: 'ms' },
  { name: 'container step / bare run', value: ratio, unit: 'x', target: '<= 1.2x', met: ratio <= 1.2 },
], `container step overhead (${n} tasks, median of ${reps})`);

/** Why the benchmark cannot run here, or undefined. */
function unavailable() {
  if (!existsSync(BUSYBOX)) return `${BUSYBOX} is missing (apt-get install busybox-static)`;
  const r = spawnSync(runtime, ['ps', '--quiet'], { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) return `${runtime}: ${r.error.message}`;
  if (r.status !== 0) return `${runtime} does not work: ${r.stderr.trim().split('\n').pop()}`;
  return undefined;
}

/** `localhost/flowctl-bench-busybox:<hash of busybox>`, imported from a root filesystem once per machine. */
function buildImage() {
  const tag = `localhost/flowctl-bench-busybox:${createHash('sha256').update(readFileSync(BUSYBOX)).digest('hex').slice(0, 16)}`;
  if (spawnSync(runtime, ['image', 'inspect', tag], { stdio: 'ignore' }).status === 0) return tag;
  const work = tmpProject({});
  try {
    const root = path.join(work, 'root');
    mkdirSync(path.join(root, 'bin'), { recursive: true });
    for (const d of ['tmp', 'etc', 'proc', 'sys', 'dev']) mkdirSync(path.join(root, d));
    chmodSync(path.join(root, 'tmp'), 0o1777);
    copyFileSync(BUSYBOX, path.join(root, 'bin/busybox'));
    chmodSync(path.join(root, 'bin/busybox'), 0o755);
    for (const applet of ['sh', 'true']) symlinkSync('busybox', path.join(root, 'bin', applet));
    writeFileSync(path.join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    const tar = path.join(work, 'rootfs.tar');
    timeOnce('tar', ['-C', root, '-cf', tar, '.']);
    timeOnce(runtime, ['import', '--change', 'ENV PATH=/bin', tar, tag]);
    return tag;
  } finally {
    removeAndSettle(work);
  }
}
