// Binary classification metrics. `y` holds 0/1 labels, `p` predicted probabilities of class 1.

export const sigmoid = (z) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

export function logLoss(y, p) {
  const eps = 1e-15;
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i], eps), 1 - eps);
    sum -= y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q);
  }
  return sum / y.length;
}

/** ROC AUC via the rank-sum (Mann-Whitney U) statistic; ties get average ranks. */
export function auc(y, p) {
  const order = p.map((_, i) => i).sort((a, b) => p[a] - p[b]);
  const ranks = new Array(p.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && p[order[j + 1]] === p[order[i]]) j++;
    for (let k = i; k <= j; k++) ranks[order[k]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  let pos = 0, rankSum = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === 1) { pos++; rankSum += ranks[i]; }
  const neg = y.length - pos;
  if (pos === 0 || neg === 0) return null; // undefined with a single class
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

export function classification(y, p, threshold = 0.5) {
  let tp = 0, fp = 0, tn = 0, fn = 0;
  for (let i = 0; i < y.length; i++) {
    const pred = p[i] >= threshold ? 1 : 0;
    if (pred === 1 && y[i] === 1) tp++;
    else if (pred === 1) fp++;
    else if (y[i] === 1) fn++;
    else tn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 0;
  const recall = tp + fn ? tp / (tp + fn) : 0;
  return {
    accuracy: (tp + tn) / y.length,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    log_loss: logLoss(y, p),
    auc: auc(y, p),
    confusion: { tp, fp, tn, fn },
  };
}

export function mean(xs) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Standard deviation; ddof = 0 (population, the default) or 1 (sample). */
export function std(xs, ddof = 0) {
  if (xs.length - ddof <= 0) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - ddof));
}
