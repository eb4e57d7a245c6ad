// Generates data/churn.csv: a synthetic "customer churn" table for the example flow.
// Deterministic: a fixed seed and fixed number formatting give the same bytes every run.
//   node data/generate.mjs            (from flows/) rewrites data/churn.csv
//   node data/generate.mjs --check    exits 1 if the committed file differs
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { mulberry32, normal } from '../scripts/lib/prng.mjs';
import { formatCsv } from '../scripts/lib/csv.mjs';
import { sigmoid } from '../scripts/lib/metrics.mjs';

const SEED = 20240601;
const ROWS = 600;
const MISSING_RATE = 0.02; // share of rows with one blank field, for prepare.mjs to drop
const out = fileURLToPath(new URL('./churn.csv', import.meta.url));

const rand = mulberry32(SEED);
const uniform = (lo, hi) => lo + (hi - lo) * rand();
const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
function poisson(lambda) {
  const limit = Math.exp(-lambda);
  let k = 0;
  for (let p = rand(); p > limit; p *= rand()) k++;
  return k;
}

const header = [
  'customer_id', 'tenure_months', 'monthly_charges', 'support_calls',
  'weekly_usage_hours', 'days_since_login', 'num_products', 'age', 'churned',
];

const rows = [];
for (let i = 0; i < ROWS; i++) {
  const tenure = Math.round(clamp(72 * rand() ** 1.4, 1, 72)); // more new customers than old
  const products = clamp(1 + poisson(0.6 + tenure / 60), 1, 5);
  const charges = clamp(25 + 14 * products + normal(rand) * 18, 18, 140);
  const calls = poisson(1.3);
  const usage = clamp(12 + normal(rand) * 5 - 1.2 * calls, 0, 40);
  const days = Math.round(clamp(-Math.log(1 - rand()) * (4 + 40 / (1 + usage)), 0, 120));
  const age = Math.round(clamp(45 + normal(rand) * 14, 18, 85)); // unrelated to churn

  // True churn model: logistic in the features plus unobserved noise, then a Bernoulli draw.
  const logit =
    -1.2 - 0.08 * (tenure - 24) + 0.045 * (charges - 60) + 0.8 * (calls - 1.3) -
    0.15 * (usage - 10) + 0.07 * (days - 8) - 0.5 * (products - 2) + normal(rand) * 0.6;
  const churned = rand() < sigmoid(logit) ? 1 : 0;

  const row = [
    `C${String(i + 1).padStart(4, '0')}`, String(tenure), charges.toFixed(2), String(calls),
    usage.toFixed(1), String(days), String(products), String(age), String(churned),
  ];
  if (rand() < MISSING_RATE) row[1 + Math.floor(rand() * 7)] = ''; // blank one feature
  rows.push(row);
}

const text = formatCsv(header, rows);
if (process.argv.includes('--check')) {
  const same = readFileSync(out, 'utf8') === text;
  console.log(same ? 'data/churn.csv is up to date' : 'data/churn.csv differs from generate.mjs output');
  process.exit(same ? 0 : 1);
}
writeFileSync(out, text);
const churn = rows.filter((r) => r[8] === '1').length;
console.log(`wrote ${out}: ${ROWS} rows, churn rate ${(churn / ROWS).toFixed(3)}, ${rows.filter((r) => r.includes('')).length} rows with a blank field`);
