/** A small project whose flow makes every kind of artifact the UI previews, fans out, and can fail or wait on a gate file. */

export const DEMO_FLOW = `version: 1
name: demo
params:
  lr: { type: number, default: 0.1 }
  fail: { type: boolean, default: false }
  gate: { type: string, default: "" }
defaults:
  params: []
steps:
  prepare:
    run: node scripts/make.mjs
    outputs: [data.csv, table.tsv, meta.json, plot.png, report.html, notes.txt, blob.bin, reports]
  fit:
    needs: [prepare]
    foreach: [1, 2, 3]
    run: node scripts/fit.mjs \${{ item }} \${{ params.lr }}
    outputs: [metrics.json]
  wait:
    needs: [fit]
    run: node scripts/wait.mjs \${{ params.gate }}
  check:
    needs: [wait]
    run: node scripts/check.mjs \${{ params.fail }}
`;

const MAKE = `import { deflateSync, crc32 } from 'node:zlib';
import { mkdirSync, writeFileSync } from 'node:fs';
const rows = ['id,name,score'];
for (let i = 1; i <= 1500; i++) rows.push(i + ',row ' + i + ',' + (i % 97) / 10);
writeFileSync('data.csv', rows.join('\\n') + '\\n');
writeFileSync('table.tsv', 'a\\tb\\n1\\t2\\n3\\t4\\n');
writeFileSync('meta.json', JSON.stringify({ rows: 1500, columns: ['id', 'name', 'score'], nested: { deep: { value: 42 } } }));
writeFileSync('notes.txt', 'plain notes\\nsecond line\\n');
writeFileSync('blob.bin', Buffer.from([0, 1, 2, 3, 255, 0, 7]));
writeFileSync('report.html', '<!doctype html><title>card</title><h1 id="card">Model card</h1><script>document.body.dataset.ran = "yes"</script>');
mkdirSync('reports', { recursive: true });
writeFileSync('reports/summary.csv', 'k,v\\nx,1\\n');
// A real 48x24 PNG: a gradient, so a screenshot shows something.
const w = 48, h = 24, raw = Buffer.alloc((w * 3 + 1) * h);
for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([x * 5, y * 10, 160], y * (w * 3 + 1) + 1 + x * 3);
const chunk = (type, data) => { const len = Buffer.alloc(4); len.writeUInt32BE(data.length); const td = Buffer.concat([Buffer.from(type), data]); const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td)); return Buffer.concat([len, td, crc]); };
const ihdr = Buffer.alloc(13); ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr.set([8, 2, 0, 0, 0], 8);
writeFileSync('plot.png', Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]));
console.log('made 1500 rows');
`;

const FIT = `import { appendFileSync, writeFileSync } from 'node:fs';
const [fold, lr] = process.argv.slice(2).map(Number);
for (let e = 1; e <= 3; e++) console.log('fold ' + fold + ' epoch ' + e + ' loss ' + (1 / (e * fold)).toFixed(3));
const auc = Math.round((0.5 + fold / 10 + lr) * 1000) / 1000;
writeFileSync('metrics.json', JSON.stringify({ fold, auc }));
appendFileSync(process.env.FLOW_VALUES, 'auc=' + auc + '\\n');
`;

const WAIT = `import { existsSync } from 'node:fs';
const gate = process.argv[2];
console.log('waiting for the gate');
while (gate && !existsSync(gate)) await new Promise((r) => setTimeout(r, 100));
console.log('gate open');
`;

const CHECK = `if (process.argv[2] === 'true') { console.log('checking'); console.error('check failed: auc too low'); process.exit(3); }
console.log('all good');
`;

export const DEMO_FILES: Record<string, string> = {
  'demo.yaml': DEMO_FLOW,
  'scripts/make.mjs': MAKE,
  'scripts/fit.mjs': FIT,
  'scripts/wait.mjs': WAIT,
  'scripts/check.mjs': CHECK,
};
