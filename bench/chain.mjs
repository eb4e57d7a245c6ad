// A linear chain of 100 steps: fresh, then the fully cached re-run (target <= 800 ms wall
// including start-up, issue 8).
import path from 'node:path';
import { flowctl, median, quick, removeAndSettle, report, tmpProject } from './lib.mjs';

const n = 100;
let yaml = 'version: 1\nname: chain\nsteps:\n';
for (let i = 0; i < n; i++) yaml += `  s${i}:\n${i ? `    needs: [s${i - 1}]\n` : ''}    run: echo ${i} > o${i}.txt\n    outputs: [o${i}.txt]\n`;
const reps = quick ? 1 : 3;
const fresh = [];
const cached = [];
const dir = tmpProject({ 'flow.yaml': yaml });
for (let i = 0; i < reps; i++) {
  // A fresh store per repetition, deleted only at the end (see removeAndSettle).
  const store = ['--datastore', path.join(dir, `store-${i}`)];
  fresh.push(flowctl(['run', 'flow.yaml', '--output', 'plain', ...store], dir));
  cached.push(flowctl(['run', 'flow.yaml', '--output', 'plain', ...store], dir));
}
removeAndSettle(dir);
const c = median(cached);
report([
  { name: 'chain of 100 steps, fresh', value: median(fresh), unit: 'ms' },
  { name: 'chain of 100 steps, fully cached re-run', value: c, unit: 'ms', target: '<= 800 ms', met: c <= 800 },
], `linear chain (median of ${reps})`);
