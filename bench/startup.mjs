// Start-up cost of the CLI: --version, --help, and validating the example flow.
// Target (issue 2): `flowctl --help` median under 300 ms on the 2-core dev machine.
import { BIN, medianOf, REPO, table, timeOnce } from './lib.mjs';

const quick = process.argv.includes('--quick');
const n = quick ? 5 : 15;
const cases = [
  ['node -e 0 (floor)', ['-e', '0'], Infinity],
  ['flowctl --version', [BIN, '--version'], 250],
  ['flowctl --help', [BIN, '--help'], 300],
  ['flowctl validate flows/train.yaml', [BIN, 'validate', 'flows/train.yaml'], 500],
];
const rows = cases.map(([name, args, target]) => {
  const ms = medianOf(n, () => timeOnce('node', args, { cwd: REPO }));
  return { case: name, 'median ms': ms.toFixed(0), target: Number.isFinite(target) ? `<= ${target}` : '-', met: Number.isFinite(target) ? (ms <= target ? 'yes' : 'NO') : '-' };
});
console.log(`start-up (median of ${n})\n` + table(rows));
