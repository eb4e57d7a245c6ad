/**
 * Worker thread of the fuzzer (see driver.mjs): checks one input at a time with the built
 * loader (dist/), so the driver can time every input and terminate a worker that hangs.
 * A flow input goes through the real entry point, validateFlowFile on a file on disk.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const { validateFlowFile } = await import(join(workerData.dist, 'spec/load.js'));
const expr = await import(join(workerData.dist, 'spec/expr/index.js'));

// The driver owns the directory (a terminated worker runs no cleanup).
const file = join(workerData.dir, 'fuzz.yaml');

const CTX = {
  params: { a: 1, n: 3, s: 'x', l: [1, 2], o: { k: 'v' } },
  steps: { s: { values: { v: [1, 2], w: 'x' }, state: 'succeeded' } },
  item: { x: 1, y: [1, 2] },
  items: [0, { x: 1 }],
  run: { id: 'r1', flow: 'f' },
};

/** A flow: `{ spec: true }` or `{ problems: [...] }`; an expression: its outcome. Anything thrown goes back as `error`. */
async function check(msg) {
  if (msg.kind === 'flow') {
    writeFileSync(file, msg.bytes);
    const { spec, problems } = await validateFlowFile(file);
    return spec ? { spec: true, file } : { problems, file };
  }
  const out = {};
  try {
    const ast = expr.parseExpression(msg.src);
    out.parsed = true;
    expr.collectRefs(ast);
    expr.evaluate(ast, CTX);
  } catch (e) {
    if (!expr.isExprError(e)) throw e;
    if (!Number.isInteger(e.index) || e.index < 0) throw new Error(`ExprError without a valid index: ${e.index}: ${e.message}`);
  }
  try {
    const t = expr.parseTemplate(msg.template);
    expr.isWholeExpression(msg.template);
    expr.renderTemplate(t, CTX, { quote: true });
  } catch (e) {
    if (!expr.isExprError(e)) throw e;
  }
  return out;
}

// A warning (yaml's, Node's) would reach the user's terminal as `(node:123) Warning: …`.
let warnings = [];
process.on('warning', (w) => warnings.push(`${w.name}: ${w.message}`));

parentPort.on('message', async (msg) => {
  warnings = [];
  try {
    const answer = await check(msg);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    parentPort.postMessage({ id: msg.id, ...answer, ...(warnings.length ? { warnings } : {}) });
  } catch (e) {
    parentPort.postMessage({ id: msg.id, error: String(e?.stack ?? e) });
  }
});
parentPort.postMessage({ ready: true });
