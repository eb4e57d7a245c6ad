// `npm run bench [-- --quick]`: runs every benchmark here, then prints one table of every
// case with its target and whether it is met. Exit code 0 even when a target is missed:
// the table is the verdict (benchmarks are not tests).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, table } from './lib.mjs';

const dir = path.dirname(fileURLToPath(import.meta.url));
const skip = new Set(['run.mjs', 'lib.mjs']);
const rows = [];
let broken = 0;
console.log(`machine: ${machine()}`);
for (const f of readdirSync(dir).filter((f) => f.endsWith('.mjs') && !skip.has(f)).sort()) {
  const r = spawnSync('node', [path.join(dir, f), ...process.argv.slice(2)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('BENCH ')) rows.push({ bench: f.replace('.mjs', ''), ...JSON.parse(line.slice(6)) });
    else if (line.trim()) console.log(line);
  }
  if (r.status !== 0) {
    broken++;
    console.log(`!! ${f} exited ${r.status}`);
  }
}
console.log('\nsummary');
console.log(table(rows.map((r) => ({
  bench: r.bench, case: r.name, value: `${r.value.toFixed(r.unit === 'x' ? 2 : r.unit === '%' ? 1 : 0)} ${r.unit}`,
  target: r.target ?? '-', met: r.met === undefined ? '-' : r.met ? 'yes' : 'NO',
}))));
process.exit(broken ? 1 : 0);
