/**
 * Runs fuzz inputs through a worker thread (worker.mjs) one at a time, each under a time
 * budget: an input that takes longer is retried in a fresh worker with five times the
 * budget (a busy machine can stall any input for a while), and one that takes longer again
 * is a hang. Returns every failure with what reproduces it (seed, case number, the input).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { exprCase, fuzzCase } from './mutate.mjs';

const WORKER = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/**
 * Checks a worker's answer for a flow: a valid spec, or problems that each name the file,
 * a line and a column, with a one-line-ish message and no stack trace.
 */
export function flowVerdict(answer, file) {
  if (answer.error) return `threw: ${answer.error}`;
  if (answer.warnings) return `printed a warning: ${answer.warnings.join('; ')}`;
  if (answer.spec) return undefined;
  if (!Array.isArray(answer.problems) || answer.problems.length === 0) return 'no spec and no problems';
  for (const p of answer.problems) {
    const loc = p.loc;
    if (!loc || loc.file !== file || !Number.isInteger(loc.line) || !Number.isInteger(loc.col) || loc.line < 1 || loc.col < 1) {
      return `problem without a valid file:line:col: ${JSON.stringify(p).slice(0, 500)}`;
    }
    if (typeof p.message !== 'string' || !p.message.trim()) return `empty problem message at ${loc.line}:${loc.col}`;
    if (/\n\s+at /.test(p.message) || /\n\s+at /.test(p.hint ?? '')) return `stack trace in a problem: ${p.message.slice(0, 500)}`;
    if (typeof p.rule !== 'string' || !p.rule) return `problem without a rule: ${p.message.slice(0, 200)}`;
  }
  return undefined;
}

class Runner {
  constructor(dist) {
    this.dist = dist;
    this.next = 0;
    this.dir = mkdtempSync(join(tmpdir(), 'flowctl-fuzz-'));
  }

  async start() {
    // A 1 MB stack, about the main thread's (the CLI's): a stack overflow there must show here too.
    this.worker = new Worker(WORKER, { workerData: { dist: this.dist, dir: this.dir }, resourceLimits: { maxOldGenerationSizeMb: 512, stackSizeMb: 1 } });
    this.worker.unref();
    await new Promise((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
  }

  /** The worker's answer; `{ hang: ms }` when it took longer than budgetMs, and then again longer than 5 × budgetMs. */
  async ask(msg, budgetMs) {
    const first = await this.askOnce(msg, budgetMs);
    return first.hang ? this.askOnce(msg, 5 * budgetMs) : first;
  }

  async askOnce(msg, budgetMs) {
    const id = ++this.next;
    const started = performance.now();
    const answer = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ hang: budgetMs }), budgetMs);
      const onMessage = (m) => {
        if (m.id !== id) return;
        done(m);
      };
      const onError = (e) => done({ error: `worker died: ${e?.stack ?? e}` });
      const onExit = (code) => done({ error: `worker exited with ${code}` });
      const done = (m) => {
        clearTimeout(timer);
        this.worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        resolve(m);
      };
      this.worker.on('message', onMessage).once('error', onError).once('exit', onExit);
      this.worker.postMessage({ id, ...msg });
    });
    if (answer.hang || answer.error?.startsWith('worker ')) {
      await this.worker.terminate();
      await this.start();
    }
    return { ...answer, ms: performance.now() - started };
  }

  async stop() {
    await this.worker?.terminate();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Fuzz the loader with `flows` mutated flows and the expression language with `exprs`
 * expressions, stopping early at `deadline` (ms since epoch) if given.
 * @returns {{ flows: number, exprs: number, valid: number, failures: Array<{kind, seed, n, ops, why, input}>, slowest: {ms, n} }}
 */
export async function runFuzz({ dist, corpus, seed, flows = 0, exprs = 0, budgetMs = 2000, deadline = Infinity, firstCase = 0, onProgress }) {
  const runner = new Runner(dist);
  await runner.start();
  const failures = [];
  const stats = { flows: 0, exprs: 0, valid: 0, failures, slowest: { ms: 0, n: -1 } };
  try {
    for (let n = firstCase; n < firstCase + flows && Date.now() < deadline; n++) {
      const c = fuzzCase(seed, n, corpus);
      const a = await runner.ask({ kind: 'flow', bytes: c.bytes }, budgetMs);
      stats.flows++;
      if (a.spec) stats.valid++;
      if (a.ms > stats.slowest.ms) stats.slowest = { ms: a.ms, n };
      const why = a.hang ? `hang: no answer within ${budgetMs} ms, nor within ${a.hang} ms on a retry` : flowVerdict(a, a.file);
      if (why) failures.push({ kind: 'flow', seed, n, ops: `${c.base}: ${c.ops.join(', ')}`, why, input: c.bytes });
      onProgress?.(stats);
    }
    for (let n = firstCase; n < firstCase + exprs && Date.now() < deadline; n++) {
      const c = exprCase(seed, n);
      const a = await runner.ask({ kind: 'expr', src: c.src, template: c.template }, budgetMs);
      stats.exprs++;
      const why = a.hang ? `hang: no answer within ${budgetMs} ms, nor within ${a.hang} ms on a retry` : a.error ? `threw: ${a.error}` : a.warnings ? `printed a warning: ${a.warnings.join('; ')}` : undefined;
      if (why) failures.push({ kind: 'expr', seed, n, ops: 'expression', why, input: Buffer.from(`${c.src}\n---template---\n${c.template}`) });
    }
  } finally {
    await runner.stop();
  }
  return stats;
}

/** A failure as text: what reproduces it and the input (escaped, cut at `max` characters). */
export function describeFailure(f, max = 3000) {
  const text = f.input.toString('utf8');
  const shown = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return `${f.kind} seed=${f.seed} case=${f.n} (${f.ops}): ${f.why.slice(0, 2000)}\n  input (${f.input.length} bytes, JSON-escaped): ${shown}`;
}
