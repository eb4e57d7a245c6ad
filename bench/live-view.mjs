#!/usr/bin/env node
/**
 * What the live view costs a run: a 1,000-task fan-out of `true` with --max-workers 2,
 * drawn live under a pseudo-terminal vs printed with --output plain, median of 3 runs each.
 * Every run gets a fresh project (so nothing is cached and the store starts empty), and the
 * modes take turns so drift on the machine hits them alike.
 *
 *   npm run build && node bench/live-view.mjs [--tasks 1000] [--workers 2] [--rounds 3]
 *
 * Prints each run, then per mode the median and minimum wall time and the median CPU time
 * of all processes (bash `times`: flowctl, its tasks, `script`), and the overhead of the live
 * view three ways: ratio of medians, ratio of minima, and the median of per-round ratios
 * (the modes of a round run back to back, so drift on a shared machine cancels out best
 * there). Set FLOWCTL_LIVE_STATS=file to also get the view's own frame and load times.
 *
 * Needs `script` (util-linux/bsdutils) for the pseudo-terminal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeAndSettle } from './lib.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin/flowctl.js');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const tasks = arg('tasks', 1000);
const workers = arg('workers', 2);
const rounds = arg('rounds', 3);

if (!existsSync(path.join(repo, 'dist/commands/run.js'))) {
  console.error('build first: npm run build');
  process.exit(2);
}
if (spawnSync('script', ['--version']).status !== 0) {
  console.error('needs `script` from util-linux (Debian: bsdutils)');
  process.exit(2);
}

const flow = `version: 1
name: fanout
steps:
  fan:
    foreach: [${Array.from({ length: tasks }, (_, i) => i).join(', ')}]
    run: "true"
`;
const env = { ...process.env, TERM: 'xterm-256color', FLOWCTL_USER: 'bench' };
delete env.CI;
delete env.CONTINUOUS_INTEGRATION;
const q = (s) => `'${s.replace(/'/g, `'\\''`)}'`;

const modes = {
  'plain (pipe)': () => `node ${q(bin)} run flow.yaml -j ${workers} --output plain`,
  'plain (pty)': () => pty('--output plain'),
  'live (pty)': () => pty('--output auto'),
};

function pty(flags) {
  const inner = `stty cols 120 rows 40; exec node ${q(bin)} run flow.yaml -j ${workers} ${flags}`;
  return `script -qfec ${q(inner)} /dev/null`;
}

/** Wall time, and CPU time of everything the command ran (bash's `times`: waited-for descendants). */
// Every run's project lives under one directory, deleted only after the last run: deleting a
// store right before the next run slows it (see removeAndSettle in lib.mjs).
const parent = mkdtempSync(path.join(os.tmpdir(), 'flowctl-bench-live-'));

function once(name) {
  const dir = mkdtempSync(path.join(parent, 'run-'));
  writeFileSync(path.join(dir, 'flow.yaml'), flow);
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', `${modes[name]()} > out.txt 2>&1; s=$?; times; exit $s`], { cwd: dir, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const out = readFileSync(path.join(dir, 'out.txt'), 'utf8');
  if (r.status !== 0) throw new Error(`${name} exited ${r.status}:\n${out.slice(-2000)}${r.stderr}`);
  const [user, sys] = r.stdout.trim().split('\n')[1].split(/\s+/).map(seconds);
  const drawn = /\x1b\[\?25l|\x1b\[1A/.test(out);
  if (drawn !== name.startsWith('live')) throw new Error(`${name}: expected ${name.startsWith('live') ? '' : 'no '}live frames`);
  if (!out.includes(`${tasks}/${tasks}`) && !out.includes(`${tasks} succeeded`)) throw new Error(`${name}: the run did not finish all tasks`);
  return { ms, cpuMs: (user + sys) * 1000, bytes: out.length };
}

function seconds(s) {
  const m = /^(\d+)m([\d.]+)s$/.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
}

const results = Object.fromEntries(Object.keys(modes).map((m) => [m, []]));
const names = Object.keys(modes);
console.log(`${tasks} tasks of \`true\`, --max-workers ${workers}, ${rounds} rounds, node ${process.version}, ${os.cpus().length} CPUs`);
for (let i = 0; i < rounds; i++) {
  const order = names.map((_, k) => names[(k + i) % names.length]);
  for (const m of order) {
    const r = once(m);
    results[m].push(r);
    console.log(`  round ${i + 1}  ${m.padEnd(13)} wall ${(r.ms / 1000).toFixed(2)} s  cpu ${(r.cpuMs / 1000).toFixed(2)} s  (${(r.bytes / 1024).toFixed(0)} KiB of output)`);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const stat = (m, k) => ({ median: median(results[m].map((r) => r[k])), min: Math.min(...results[m].map((r) => r[k])) });
const sec = (ms) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
console.log('\n               wall median   wall min    cpu median (all processes)');
for (const m of names) console.log(`  ${m.padEnd(13)} ${sec(stat(m, 'ms').median)}  ${sec(stat(m, 'ms').min)}  ${sec(stat(m, 'cpuMs').median)}`);
const pct = (a, b) => `${a >= b ? '+' : ''}${(((a - b) / b) * 100).toFixed(1)}%`;
const vs = (k, how) => `${pct(stat('live (pty)', k)[how], stat('plain (pty)', k)[how])} vs plain under the same pty, ${pct(stat('live (pty)', k)[how], stat('plain (pipe)', k)[how])} vs plain piped`;
console.log(`\nlive view overhead, wall (medians): ${vs('ms', 'median')}`);
console.log(`live view overhead, wall (minima):  ${vs('ms', 'min')}`);
console.log(`live view overhead, cpu (medians):  ${vs('cpuMs', 'median')}`);
// Drift on a shared machine moves whole rounds; the modes of one round ran back to back.
const ratios = results['live (pty)'].map((r, i) => r.ms / results['plain (pty)'][i].ms - 1);
const paired = median(ratios);
console.log(`live view overhead, wall (median of per-round ratios): ${paired >= 0 ? '+' : ''}${(paired * 100).toFixed(1)}% vs plain under the same pty` +
  `  [rounds: ${ratios.map((x) => `${(x * 100).toFixed(1)}%`).join(', ')}]`);
// For bench/run.mjs's summary: the issue-6 target, on the paired per-round ratio.
console.log(`BENCH ${JSON.stringify({ name: `live view vs plain (same pty), ${tasks} tasks, median of ${rounds} paired rounds`, value: paired * 100, unit: '%', target: '< 5%', met: paired < 0.05, note: `rounds ${ratios.map((x) => `${(x * 100).toFixed(0)}%`).join(' ')}` })}`);
console.log(`load average now: ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (wall times compare only on an otherwise idle machine)`);
removeAndSettle(parent);
