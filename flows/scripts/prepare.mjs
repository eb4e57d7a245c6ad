// prepare: validate and clean the raw CSV, standardize the features.
//   node scripts/prepare.mjs --data data/churn.csv [--label churned] [--id customer_id]
// Writes clean.csv (id, standardized features, label) and stats.json (per-feature mean/std
// and row counts), so a model trained on clean.csv can be applied to raw rows later.
import { existsSync } from 'node:fs';
import { readCsv, writeCsv } from './lib/csv.mjs';
import { fail, parseFlags, round, writeJson } from './lib/cli.mjs';
import { mean, std } from './lib/metrics.mjs';

const flags = parseFlags(process.argv.slice(2), { data: 'data/churn.csv', label: 'churned', id: 'customer_id' });
if (!existsSync(flags.data)) fail(`dataset ${flags.data} not found (paths are relative to the flow's directory)`);

const { header, rows } = readCsv(flags.data);
const labelCol = header.indexOf(flags.label);
if (labelCol < 0) fail(`label column "${flags.label}" not in header: ${header.join(', ')}`);
const idCol = header.indexOf(flags.id); // optional
const featureCols = header.map((_, i) => i).filter((i) => i !== labelCol && i !== idCol);
const features = featureCols.map((i) => header[i]);

const MISSING = new Set(['', 'na', 'nan', 'null', '?']);
const counts = { read: rows.length, wrong_width: 0, missing: 0, not_numeric: 0, bad_label: 0, kept: 0 };
const kept = []; // { id, x: number[], y: 0|1 }
rows.forEach((row, r) => {
  if (row.length !== header.length) { counts.wrong_width++; return; }
  const cells = row.map((c) => c.trim());
  if ([...featureCols, labelCol].some((i) => MISSING.has(cells[i].toLowerCase()))) { counts.missing++; return; }
  const x = featureCols.map((i) => Number(cells[i]));
  if (x.some((v) => !Number.isFinite(v))) { counts.not_numeric++; return; }
  const y = Number(cells[labelCol]);
  if (y !== 0 && y !== 1) { counts.bad_label++; return; }
  kept.push({ id: idCol >= 0 ? cells[idCol] : String(r), x, y });
});
counts.kept = kept.length;
if (kept.length < 10) fail(`only ${kept.length} usable rows in ${flags.data}; need at least 10`);

// Standardize each feature to mean 0, std 1 (a constant column is only centred).
const stats = features.map((name, j) => {
  const col = kept.map((k) => k.x[j]);
  const s = std(col);
  return { name, mean: mean(col), std: s > 0 ? s : 1, min: Math.min(...col), max: Math.max(...col) };
});
const cleanRows = kept.map((k) => [
  k.id,
  ...k.x.map((v, j) => ((v - stats[j].mean) / stats[j].std).toFixed(6)),
  String(k.y),
]);
writeCsv('clean.csv', ['id', ...features, 'label'], cleanRows);

const positives = kept.filter((k) => k.y === 1).length;
writeJson('stats.json', {
  source: flags.data,
  label: flags.label,
  rows: counts,
  positive_rate: round(positives / kept.length),
  features: stats, // full precision: clean.csv = (raw - mean) / std
});

const dropped = counts.read - counts.kept;
console.log(`read ${counts.read} rows from ${flags.data}, kept ${counts.kept}, dropped ${dropped}` +
  ` (missing ${counts.missing}, wrong width ${counts.wrong_width}, not numeric ${counts.not_numeric}, bad label ${counts.bad_label})`);
console.log(`${features.length} features: ${features.join(', ')}; positive rate ${(positives / kept.length).toFixed(3)}`);
console.log('wrote clean.csv, stats.json');
