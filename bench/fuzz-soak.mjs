// A long fuzz of the spec loader and the expression language (the short one is in npm test:
// test/spec/fuzz.test.ts). Same generators and checks, for N minutes, from a fresh seed.
//
//   node bench/fuzz-soak.mjs                      # 5 minutes (--quick: 30 s), seed from the clock
//   node bench/fuzz-soak.mjs --minutes 60 --seed 7
//   node bench/fuzz-soak.mjs --seed 7 --case 1234 # replay one flow case: print it and its verdict
//
// Failing inputs are written to $TMPDIR/flowctl-fuzz-failures/ and printed (JSON-escaped).
// Exit code 1 when anything failed. Build first (`npm run build`): the loader runs from dist/.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeFailure, flowVerdict, runFuzz } from '../test/fuzz/driver.mjs';
import { fuzzCase, loadCorpus } from '../test/fuzz/mutate.mjs';
import { quick, report, REPO } from './lib.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const minutes = arg('minutes', quick ? 0.5 : 5);
const seed = arg('seed', Date.now() % 2 ** 31);
const budgetMs = arg('budget', 2000);
const dist = path.join(REPO, 'dist');
const corpus = loadCorpus(REPO);

if (process.argv.includes('--case')) {
  const n = arg('case', 0);
  const c = fuzzCase(seed, n, corpus);
  const file = path.join(os.tmpdir(), `flowctl-fuzz-${seed}-${n}.yaml`);
  writeFileSync(file, c.bytes);
  const { validateFlowFile } = await import(path.join(dist, 'spec/load.js'));
  const t0 = performance.now();
  const { spec, problems } = await validateFlowFile(file);
  console.log(`seed=${seed} case=${n} (${c.base}: ${c.ops.join(', ')}) written to ${file}`);
  console.log(`${(performance.now() - t0).toFixed(1)} ms: ${spec ? 'valid' : `${problems.length} problems`}; verdict: ${flowVerdict(spec ? { spec: true } : { problems }, file) ?? 'ok'}`);
  for (const p of problems.slice(0, 10)) console.log(`  ${p.loc?.line}:${p.loc?.col} ${p.message.slice(0, 200)}`);
  process.exit(0);
}

console.log(`fuzz soak: seed ${seed}, ${minutes} min, ${budgetMs} ms per input`);
const deadline = Date.now() + minutes * 60_000;
const total = { flows: 0, exprs: 0, valid: 0, failures: [], slowest: { ms: 0, n: -1 } };
const CHUNK = 1000;
const t0 = Date.now();
for (let first = 0; Date.now() < deadline; first += CHUNK) {
  const s = await runFuzz({ dist, corpus, seed, flows: CHUNK, exprs: CHUNK, budgetMs, deadline, firstCase: first });
  total.flows += s.flows;
  total.exprs += s.exprs;
  total.valid += s.valid;
  total.failures.push(...s.failures);
  if (s.slowest.ms > total.slowest.ms) total.slowest = s.slowest;
  process.stderr.write(`  ${total.flows} flows, ${total.exprs} expressions, ${total.failures.length} failures\n`);
}
const seconds = (Date.now() - t0) / 1000;

if (total.failures.length) {
  const dir = path.join(os.tmpdir(), 'flowctl-fuzz-failures');
  mkdirSync(dir, { recursive: true });
  for (const f of total.failures) {
    writeFileSync(path.join(dir, `${f.kind}-seed${f.seed}-case${f.n}.yaml`), f.input);
    console.log(describeFailure(f));
  }
  console.log(`failing inputs written to ${dir}`);
}
report([
  { name: 'inputs checked', value: total.flows + total.exprs, unit: 'inputs', note: `${total.flows} flows (${total.valid} valid), ${total.exprs} expressions, seed ${seed}` },
  { name: 'throughput', value: (total.flows + total.exprs) / seconds, unit: 'inputs/s' },
  { name: 'slowest flow', value: total.slowest.ms, unit: 'ms', target: `< ${budgetMs} ms`, met: total.slowest.ms < budgetMs, note: `case ${total.slowest.n}` },
  { name: 'failures (throw, hang, bad problem)', value: total.failures.length, unit: '', target: '0', met: total.failures.length === 0 },
], 'fuzz soak');
process.exit(total.failures.length ? 1 : 0);
