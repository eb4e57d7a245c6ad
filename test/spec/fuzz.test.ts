/**
 * Fuzzing the spec loader and the expression language (issue 16 §6): thousands of mutated
 * flows (the repository's valid flows with lines deleted, duplicated, swapped, bytes flipped,
 * deep nesting, huge numbers, unicode, `${{` fragments, alias bombs, very long names, and
 * random flows) and random expressions. Every outcome must be a valid spec or problems that
 * each carry file:line:col, never a throw, a warning on stderr or a hang: each input runs in
 * a worker thread under a time budget (test/fuzz/driver.mjs). Deterministic: a failure
 * prints `seed=S case=N` and the input; `node bench/fuzz-soak.mjs --seed S --case N`
 * replays it. FLOWCTL_FUZZ_SEED explores other seeds; bench/fuzz-soak.mjs runs for minutes.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { validateFlowFile, type ValidationResult } from '../../src/spec/load.js';
import { ensureBuilt, flowctl } from '../cli/helpers.js';
import { describeFailure, runFuzz } from '../fuzz/driver.mjs';
import { fuzzCase, loadCorpus } from '../fuzz/mutate.mjs';
import { REPO } from '../helpers/cli.js';

const SEED = Number(process.env.FLOWCTL_FUZZ_SEED ?? 20261130);
const BUDGET_MS = Number(process.env.FLOWCTL_FUZZ_BUDGET_MS ?? 3000);
const corpus = loadCorpus(REPO);

beforeAll(() => ensureBuilt());

test('5,000 mutated flows and 3,000 expressions: a spec or located problems, never a throw, warning or hang', async () => {
  const t0 = Date.now();
  const stats = await runFuzz({ dist: path.join(REPO, 'dist'), corpus, seed: SEED, flows: 5000, exprs: 3000, budgetMs: BUDGET_MS });
  const seconds = (Date.now() - t0) / 1000;
  console.log(`fuzz seed ${SEED}: ${stats.flows} flows (${stats.valid} valid), ${stats.exprs} expressions in ${seconds.toFixed(1)} s; slowest flow ${stats.slowest.ms.toFixed(0)} ms (case ${stats.slowest.n})`);
  if (stats.failures.length) throw new Error(`${stats.failures.length} fuzz failures:\n${stats.failures.slice(0, 10).map((f) => describeFailure(f)).join('\n\n')}`);
  expect(stats.flows).toBe(5000);
  expect(stats.exprs).toBe(3000);
  // The mutations leave some flows valid and break the rest: both paths were exercised.
  expect(stats.valid).toBeGreaterThan(100);
  expect(stats.valid).toBeLessThan(4000);
}, 240_000);

test('a sample of 50 through the real CLI: exit 0 or 2, the same verdicts, no stack trace or warning', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-fuzz-cli-'));
  try {
    const cases: Array<{ file: string; what: string; expected: ValidationResult }> = [];
    for (let i = 0; i < 50; i++) {
      const c = fuzzCase(SEED + 1, i, corpus);
      const file = path.join(dir, `case-${i}.yaml`);
      await writeFile(file, c.bytes);
      cases.push({ file, what: `seed=${SEED + 1} case=${i} (${c.base}: ${c.ops.join(', ')})`, expected: await validateFlowFile(file) });
    }
    // Five files per process (CLI start-up dominates), plus one run of only the valid ones for exit 0.
    const batches = Array.from({ length: 10 }, (_, k) => cases.slice(k * 5, k * 5 + 5));
    batches.push(cases.filter((x) => x.expected.spec));
    expect(batches.at(-1)!.length).toBeGreaterThan(0);
    for (const batch of batches) {
      const r = await flowctl(['validate', ...batch.map((x) => x.file)]);
      const what = batch.map((x) => x.what).join('\n');
      if (/\n\s+at |Warning|TypeError|RangeError/.test(r.stderr)) throw new Error(`a stack trace or warning on stderr for:\n${what}\n${r.stderr}`);
      expect({ what, code: r.code }).toEqual({ what, code: batch.every((x) => x.expected.spec) ? 0 : 2 });
      for (const x of batch) {
        if (x.expected.spec) expect(r.stdout).toContain(`ok ${x.file}\n`);
        else expect(r.stderr).toContain(`${x.file}:${x.expected.problems[0]!.loc!.line}:${x.expected.problems[0]!.loc!.col}: `);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 240_000);
