// split: assign the rows of clean.csv to K cross-validation folds.
//   node scripts/split.mjs --folds 3 --seed 42
// Stratified: rows are shuffled with a seeded PRNG, then dealt round-robin to the folds
// class by class, so every fold has about the same size and churn rate.
// Writes folds.json and the values folds=[0..K-1] and rows=<n>.
import { readCsv } from './lib/csv.mjs';
import { fail, num, parseFlags, requireInputs, setValue, writeJson } from './lib/cli.mjs';
import { mulberry32, shuffle } from './lib/prng.mjs';

const flags = parseFlags(process.argv.slice(2), { folds: '3', seed: '42', data: 'clean.csv' });
const k = num(flags, 'folds', { integer: true, min: 2 });
const seed = num(flags, 'seed', { integer: true });

requireInputs([flags.data], 'split needs the output of prepare');
const { header, rows } = readCsv(flags.data);
const labelCol = header.indexOf('label');
if (labelCol < 0) fail(`${flags.data} has no "label" column; run prepare first`);
if (rows.length < k) fail(`cannot split ${rows.length} rows into ${k} folds`);

const order = shuffle(rows.map((_, i) => i), mulberry32(seed));
const assignment = new Array(rows.length);
let next = 0;
for (const cls of ['0', '1']) {
  for (const i of order) if (rows[i][labelCol] === cls) assignment[i] = next++ % k;
}

const folds = Array.from({ length: k }, (_, f) => {
  const idx = assignment.flatMap((a, i) => (a === f ? [i] : []));
  return { fold: f, rows: idx.length, positives: idx.filter((i) => rows[i][labelCol] === '1').length };
});
writeJson('folds.json', { k, seed, rows: rows.length, folds, assignment });

for (const f of folds) console.log(`fold ${f.fold}: ${f.rows} rows, ${f.positives} positive`);
setValue('folds', folds.map((f) => f.fold));
setValue('rows', rows.length);
