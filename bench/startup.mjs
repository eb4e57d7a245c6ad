// Start-up cost of the CLI. Targets: `--version` <= 250 ms (issue 8), `--help` < 300 ms (issue 2).
import { BIN, medianOf, quick, report, REPO, timeOnce } from './lib.mjs';

const n = quick ? 5 : 15;
const floor = medianOf(n, () => timeOnce('node', ['-e', '0']));
const cases = [
  ['flowctl --version', [BIN, '--version'], 250],
  ['flowctl --help', [BIN, '--help'], 300],
  ['flowctl validate flows/train.yaml', [BIN, 'validate', 'flows/train.yaml']],
];
const rows = [{ name: 'node -e 0 (floor)', value: floor, unit: 'ms' }];
for (const [name, args, target] of cases) {
  const ms = medianOf(n, () => timeOnce('node', args, { cwd: REPO }));
  rows.push({ name, value: ms, unit: 'ms', ...(target ? { target: `<= ${target} ms`, met: ms <= target } : {}) });
}
report(rows, `start-up (median of ${n})`);
