// fit: train a logistic regression on every fold but one, score the held-out fold.
//   node scripts/fit.mjs --fold 0 --lr 0.5 --epochs 200 [--l2 0]
// Full-batch gradient descent from zero weights: no randomness, so the same inputs give
// byte-identical model.json and metrics.json (nothing time- or machine-dependent is written).
// Reads clean.csv, folds.json (split) and stats.json (prepare).
import { readFileSync } from 'node:fs';
import { readCsv } from './lib/csv.mjs';
import { fail, num, parseFlags, requireInputs, round, setValue, writeJson } from './lib/cli.mjs';
import { classification, logLoss, sigmoid } from './lib/metrics.mjs';

const flags = parseFlags(process.argv.slice(2), { fold: '', lr: '0.5', epochs: '200', l2: '0' });
const fold = num(flags, 'fold', { integer: true, min: 0 });
const lr = num(flags, 'lr', { min: 0 });
const epochs = num(flags, 'epochs', { integer: true, min: 1 });
const l2 = num(flags, 'l2', { min: 0 });

requireInputs(['clean.csv', 'stats.json', 'folds.json'], 'fit needs the outputs of prepare (clean.csv, stats.json) and split (folds.json)');
const { header, rows } = readCsv('clean.csv');
const split = JSON.parse(readFileSync('folds.json', 'utf8'));
const stats = JSON.parse(readFileSync('stats.json', 'utf8'));
if (split.rows !== rows.length) fail(`folds.json covers ${split.rows} rows but clean.csv has ${rows.length}`);
if (fold >= split.k) fail(`--fold ${fold} out of range: folds.json has ${split.k} folds (0..${split.k - 1})`);

const features = header.slice(1, -1); // id, ...features, label
const X = rows.map((r) => r.slice(1, -1).map(Number));
const Y = rows.map((r) => Number(r[r.length - 1]));
const trainIdx = [], testIdx = [];
split.assignment.forEach((f, i) => (f === fold ? testIdx : trainIdx).push(i));

const d = features.length;
const w = new Array(d).fill(0);
let b = 0;
const predict = (x) => sigmoid(x.reduce((s, v, j) => s + v * w[j], b));
const trainLoss = () => {
  const penalty = (l2 / 2) * w.reduce((s, v) => s + v * v, 0);
  return logLoss(trainIdx.map((i) => Y[i]), trainIdx.map((i) => predict(X[i]))) + penalty;
};

console.log(`fold ${fold}: training on ${trainIdx.length} rows, holding out ${testIdx.length}; lr=${lr} epochs=${epochs} l2=${l2}`);
const every = Math.max(1, Math.round(epochs / 10));
for (let epoch = 1; epoch <= epochs; epoch++) {
  const gw = new Array(d).fill(0);
  let gb = 0;
  for (const i of trainIdx) {
    const err = predict(X[i]) - Y[i];
    for (let j = 0; j < d; j++) gw[j] += err * X[i][j];
    gb += err;
  }
  const n = trainIdx.length;
  for (let j = 0; j < d; j++) w[j] -= lr * (gw[j] / n + l2 * w[j]);
  b -= lr * (gb / n);
  if (epoch % every === 0 || epoch === 1 || epoch === epochs) {
    console.log(`  epoch ${String(epoch).padStart(String(epochs).length)}/${epochs}  train loss ${trainLoss().toFixed(4)}`);
  }
}

const yTest = testIdx.map((i) => Y[i]);
const pTest = testIdx.map((i) => predict(X[i]));
const m = classification(yTest, pTest);
const hyperparams = { lr, epochs, l2 };

writeJson('model.json', {
  type: 'logistic_regression',
  fold,
  hyperparams,
  features,
  weights: Object.fromEntries(features.map((f, j) => [f, w[j]])),
  bias: b,
  // Inputs are standardized: z = (raw - mean) / std, then p = sigmoid(bias + sum(weights * z)).
  standardization: Object.fromEntries(stats.features.map((s) => [s.name, { mean: s.mean, std: s.std }])),
  train_rows: trainIdx.length,
  train_loss: trainLoss(),
});
const metrics = {
  fold,
  hyperparams,
  rows: testIdx.length,
  positives: yTest.filter((y) => y === 1).length,
  accuracy: round(m.accuracy),
  precision: round(m.precision),
  recall: round(m.recall),
  f1: round(m.f1),
  log_loss: round(m.log_loss),
  auc: m.auc === null ? null : round(m.auc),
  confusion: m.confusion,
  train_loss: round(trainLoss()),
};
writeJson('metrics.json', metrics);

console.log(`fold ${fold} held-out: accuracy ${metrics.accuracy.toFixed(4)}  f1 ${metrics.f1.toFixed(4)}  auc ${metrics.auc?.toFixed(4)}  log loss ${metrics.log_loss.toFixed(4)}`);
setValue('accuracy', metrics.accuracy);
setValue('auc', metrics.auc);
