// Shared helpers for benchmarks. Each benchmark prints its own table and, for bench/run.mjs,
// one `BENCH {json}` line per measured case: {name, value, unit, target?, met?, note?}.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.join(REPO, 'bin/flowctl.js');
export const quick = process.argv.includes('--quick');

export function timeOnce(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', ...opts });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && !opts.allowFail) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

/** Wall ms and peak RSS (MiB) of a command, via GNU time. */
export function timeWithRss(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { ...opts, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-500)}`);
  const kb = Number(r.stderr.trim().split('\n').pop());
  return { ms, rssMiB: kb / 1024 };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function medianOf(n, fn, { warm = true } = {}) {
  if (warm) fn(); // warm the page cache
  return median(Array.from({ length: n }, fn));
}

export function tmpProject(files) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'flowctl-bench-'));
  for (const [rel, content] of Object.entries(files)) {
    spawnSync('mkdir', ['-p', path.dirname(path.join(dir, rel))]);
    spawnSync('sh', ['-c', 'cat > "$1"', 'sh', path.join(dir, rel)], { input: content });
  }
  return dir;
}

/**
 * Delete a benchmark's files and wait until the disk has really let them go. On ext4 mounted
 * with `discard` the freed blocks are trimmed at the next journal commit, which stalls other
 * file operations for a while; `sync` forces that commit now, so the next case starts clean.
 */
export function removeAndSettle(dir) {
  rmSync(dir, { recursive: true, force: true });
  spawnSync('sync');
}

export function flowctl(args, cwd) {
  return timeOnce('node', [BIN, ...args], { cwd });
}

export function report(rows, title) {
  console.log(`\n${title}\n${table(rows.map(displayRow))}`);
  for (const r of rows) console.log(`BENCH ${JSON.stringify(r)}`);
}

function displayRow(r) {
  return {
    case: r.name,
    value: `${r.value.toFixed(r.unit === 'x' ? 2 : 0)} ${r.unit}`,
    target: r.target ?? '-',
    met: r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
    note: r.note ?? '',
  };
}

export function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padEnd(width[i])).join('  ').trimEnd();
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => r[c])))].join('\n');
}

export function machine() {
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? os.cpus()[0]?.model;
  return `${os.availableParallelism()} CPUs (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load ${os.loadavg()[0].toFixed(2)}`;
}
