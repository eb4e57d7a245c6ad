// evaluate: the join after the fit fan-out. Collects every fold's held-out metrics.
//   node scripts/evaluate.mjs [--from fit]
// Finds fit/<index>/metrics.json (one directory per fit task, index = fold item index),
// writes report.json (per fold, mean and std of each metric, best fold) and report.md,
// prints a table, and publishes mean_accuracy and best_fold as values.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, parseFlags, round, setValue, writeJson } from './lib/cli.mjs';
import { mean, std } from './lib/metrics.mjs';

const flags = parseFlags(process.argv.slice(2), { from: 'fit' });
const METRICS = ['accuracy', 'precision', 'recall', 'f1', 'log_loss', 'auc'];

if (!existsSync(flags.from)) fail(`no ${flags.from}/ directory: this step must need the fanned-out "${flags.from}" step`);
const indices = readdirSync(flags.from).filter((d) => /^\d+$/.test(d)).map(Number).sort((a, b) => a - b);
if (indices.length === 0) fail(`${flags.from}/ holds no task directories (expected ${flags.from}/0, ${flags.from}/1, …)`);
const missing = indices.filter((i) => !existsSync(join(flags.from, String(i), 'metrics.json')));
if (missing.length) fail(`no metrics.json for ${flags.from} task(s) ${missing.join(', ')}`);

const folds = indices.map((i) => {
  const m = JSON.parse(readFileSync(join(flags.from, String(i), 'metrics.json'), 'utf8'));
  // Majority-class baseline on the same held-out rows: what "always predict the common class" scores.
  const baseline = Math.max(m.positives, m.rows - m.positives) / m.rows;
  return { index: i, ...m, baseline_accuracy: round(baseline) };
});
const gaps = indices.length !== indices[indices.length - 1] + 1;

const summary = {};
for (const k of [...METRICS, 'baseline_accuracy']) {
  const xs = folds.map((f) => f[k]).filter((x) => typeof x === 'number');
  summary[k] = { mean: round(mean(xs)), std: round(std(xs, xs.length > 1 ? 1 : 0)), min: Math.min(...xs), max: Math.max(...xs) };
}
// Best fold: highest accuracy, then lowest log loss, then lowest index.
const best = folds.slice().sort((a, b) => b.accuracy - a.accuracy || a.log_loss - b.log_loss || a.index - b.index)[0];

const report = {
  folds: folds.length,
  hyperparams: folds[0].hyperparams,
  per_fold: folds.map((f) => ({ index: f.index, fold: f.fold, rows: f.rows, positives: f.positives,
    ...Object.fromEntries(METRICS.map((k) => [k, f[k]])), baseline_accuracy: f.baseline_accuracy })),
  summary,
  best_fold: { index: best.index, fold: best.fold, accuracy: best.accuracy, log_loss: best.log_loss },
  ...(gaps ? { warning: `task indices are not contiguous: ${indices.join(', ')}` } : {}),
};
writeJson('report.json', report);

// Human-readable table, shared by stdout and report.md.
const fmt = (x) => (typeof x === 'number' ? x.toFixed(4) : 'n/a');
const head = ['fold', 'rows', ...METRICS];
const lines = [
  `| ${head.join(' | ')} |`,
  `|${head.map(() => '---').join('|')}|`,
  ...folds.map((f) => `| ${f.fold} | ${f.rows} | ${METRICS.map((k) => fmt(f[k])).join(' | ')} |`),
  `| **mean** | ${folds.reduce((s, f) => s + f.rows, 0)} | ${METRICS.map((k) => fmt(summary[k].mean)).join(' | ')} |`,
  `| std | | ${METRICS.map((k) => fmt(summary[k].std)).join(' | ')} |`,
];
const hp = report.hyperparams ?? {};
const md = [
  `# Cross-validation report`,
  '',
  `Logistic regression, ${folds.length}-fold cross-validation (lr ${hp.lr}, epochs ${hp.epochs}, l2 ${hp.l2}).`,
  'Each row scores the model trained on the other folds against the held-out fold; std is the sample std (n−1).',
  '',
  ...lines,
  '',
  `- Mean held-out accuracy **${fmt(summary.accuracy.mean)}** ± ${fmt(summary.accuracy.std)}` +
    ` vs. ${fmt(summary.baseline_accuracy.mean)} for always predicting the majority class.`,
  `- Best fold: ${best.fold} (accuracy ${fmt(best.accuracy)}, log loss ${fmt(best.log_loss)}).`,
  ...(gaps ? [`- Warning: ${report.warning}.`] : []),
  '',
].join('\n');
writeFileSync('report.md', md);

console.log(lines.join('\n'));
console.log(`mean accuracy ${fmt(summary.accuracy.mean)} ± ${fmt(summary.accuracy.std)} (majority baseline ${fmt(summary.baseline_accuracy.mean)}); best fold ${best.fold}`);
setValue('mean_accuracy', summary.accuracy.mean);
setValue('best_fold', best.fold);
