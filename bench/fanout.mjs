// Fan-out: a foreach of N tasks of `true` with --max-workers 2, against the same N commands
// through `xargs -P2` (the process-spawn floor). Targets (issue 8): 1,000 tasks <= 2x the floor;
// 10,000 tasks <= 11x the 1,000-task time, peak RSS <= 300 MiB.
import path from 'node:path';
import { BIN, median, quick, removeAndSettle, report, timeOnce, timeWithRss, tmpProject } from './lib.mjs';

const flow = (n) => `version: 1\nname: fan\nsteps:\n  t:\n    foreach: \${{ range(${n}) }}\n    run: "true"\n`;
const reps = quick ? 1 : 3;

function runFan(n) {
  const dir = tmpProject({ 'flow.yaml': flow(n) });
  const out = [];
  // A fresh store per repetition, and nothing deleted until all are measured: on a disk
  // mounted with `discard` (this machine's), deleting a big tree slows every file operation
  // for seconds afterwards, which would be charged to the next run.
  for (let i = 0; i < reps; i++) {
    const args = [BIN, 'run', 'flow.yaml', '--max-workers', '2', '--no-cache', '--output', 'plain', '--datastore', path.join(dir, `store-${i}`)];
    out.push(timeWithRss('node', args, { cwd: dir }));
  }
  removeAndSettle(dir);
  return { ms: median(out.map((o) => o.ms)), rssMiB: Math.max(...out.map((o) => o.rssMiB)) };
}

const xargs = median(Array.from({ length: reps }, () => timeOnce('sh', ['-c', "seq 1000 | xargs -P2 -I{} sh -c 'true'"])));
const k1 = runFan(1000);
const rows = [
  { name: 'xargs -P2: 1,000 x sh -c true (floor)', value: xargs, unit: 'ms' },
  { name: 'flowctl: foreach 1,000 x true, 2 workers', value: k1.ms, unit: 'ms', note: `peak RSS ${k1.rssMiB.toFixed(0)} MiB` },
  { name: '1,000-task fan-out / floor', value: k1.ms / xargs, unit: 'x', target: '<= 2x', met: k1.ms / xargs <= 2 },
];
if (!quick) {
  const k10 = runFan(10000);
  rows.push(
    { name: 'flowctl: foreach 10,000 x true, 2 workers', value: k10.ms, unit: 'ms' },
    { name: '10,000-task / 1,000-task time', value: k10.ms / k1.ms, unit: 'x', target: '<= 11x', met: k10.ms / k1.ms <= 11 },
    { name: '10,000-task peak RSS', value: k10.rssMiB, unit: 'MiB', target: '<= 300 MiB', met: k10.rssMiB <= 300 },
  );
} else {
  rows.push({ name: '10,000-task fan-out', value: 0, unit: 'ms', note: 'skipped with --quick' });
}
report(rows, `fan-out (median of ${reps})`);
