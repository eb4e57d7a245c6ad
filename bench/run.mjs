// `npm run bench [-- --quick]`: runs every benchmark in this directory in turn.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const skip = new Set(['run.mjs', 'lib.mjs']);
let failed = 0;
for (const f of readdirSync(dir).filter((f) => f.endsWith('.mjs') && !skip.has(f)).sort()) {
  console.log(`\n== ${f}`);
  const r = spawnSync('node', [path.join(dir, f), ...process.argv.slice(2)], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
