/** Pure planning, without a filesystem: cache keys, resume plans, params, masking, queue. */
import { createHash } from 'node:crypto';
import { validateSource } from '../../src/spec/load.js';
import { parseText } from '../../src/spec/read-yaml.js';
import { codeKey, taskIdentity, keyHasher, canonicalJson, type TaskKeyInput } from '../../src/graph/cache-key.js';
import { stepsToRerun } from '../../src/graph/resume-plan.js';
import { resolveParams } from '../../src/runtime/params.js';
import { makeMasker } from '../../src/task/mask.js';
import { cartesian } from '../../src/graph/foreach.js';
import { TaskQueue } from '../../src/runtime/task-queue.js';
import { retryDelayMs } from '../../src/runtime/backoff.js';
import type { FlowSpec } from '../../src/spec/types.js';

function spec(yaml: string): FlowSpec {
  const read = parseText('flow.yaml', '/p/flow.yaml', yaml, '0'.repeat(64)) ;
  if (!read.source) throw new Error(JSON.stringify(read.problems));
  const r = validateSource(read.source);
  if (!r.spec) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return r.spec;
}

const base: TaskKeyInput = {
  flow: 'f', step: 's', taskId: '0', command: 'echo 1', env: { A: '1' }, shell: 'sh', item: undefined, hasItem: false, items: [],
  params: { lr: 0.5 }, codeKey: 'c',
  staging: [
    { rel: 'a.txt', entry: { path: 'a.txt', type: 'file' as const, hash: 'h1', size: 1 } },
    { rel: 'b/0/b.txt', entry: { path: 'b.txt', type: 'file' as const, hash: 'h2', size: 1 } },
  ],
  outputs: ['o.txt'],
};

describe('cache keys', () => {
  test('are stable under reordering and change with every input that matters', () => {
    const plain = keyHasher();
    const key = (i: TaskKeyInput) => taskIdentity(i, plain).cacheKey;
    const k = key(base);
    expect(key({ ...base, staging: [...base.staging].reverse(), env: { A: '1' } })).toBe(k);
    const changes: Array<Partial<TaskKeyInput>> = [
      { command: 'echo 2' }, { env: { A: '2' } }, { env: { A: '1', B: '' } }, { shell: 'bash' }, { image: 'node:20' },
      { hasItem: true, item: 1 }, { codeKey: 'd' }, { outputs: ['p.txt'] }, { step: 't' }, { taskId: '1' }, { itemIndex: 0 },
      { items: [1] }, { params: { lr: 0.6 } }, { params: { lr: 0.5, folds: 3 } }, { params: {} }, { flow: 'g' },
      { staging: [base.staging[0]!, { ...base.staging[1]!, entry: { ...base.staging[1]!.entry, hash: 'h3' } }] },
      { staging: [base.staging[0]!, { ...base.staging[1]!, rel: 'b/1/b.txt' }] },
    ];
    const seen = new Set([k]);
    for (const change of changes) {
      const other = key({ ...base, ...change });
      expect(seen.has(other)).toBe(false);
      seen.add(other);
    }
    expect(canonicalJson({ b: 1, a: [1, { d: 2, c: 3 }] })).toBe('{"a":[1,{"c":3,"d":2}],"b":1}');
  });

  test('key an item, enclosing items and params as the JSON text the task is handed (object keys in the order written)', () => {
    const key = (i: Partial<TaskKeyInput>) => taskIdentity({ ...base, ...i }, keyHasher()).cacheKey;
    const item = (v: unknown) => ({ hasItem: true, item: v });
    expect(key(item({ lr: 0.1, depth: 2 }))).toBe(key(item({ lr: 0.1, depth: 2 })));
    expect(key(item({ lr: 0.1, depth: 2 }))).not.toBe(key(item({ depth: 2, lr: 0.1 })));
    expect(key({ items: [{ a: 1, b: 2 }] })).not.toBe(key({ items: [{ b: 2, a: 1 }] }));
    expect(key({ params: { cfg: { a: 1, b: 2 } } })).not.toBe(key({ params: { cfg: { b: 2, a: 1 } } }));
    expect(key({ params: { cfg: { a: [1, { c: 3 }] } } })).toBe(key({ params: { cfg: { a: [1, { c: 3 }] } } }));
    // A value whose keys are already sorted keeps the digest it had under canonicalJson.
    const parts = taskIdentity({ ...base, ...item({ a: 1, b: [2, { c: 3 }] }) }, keyHasher()).parts;
    expect(parts.item).toBe(createHash('sha256').update(canonicalJson({ b: [2, { c: 3 }], a: 1 })).digest('hex'));
  });

  test('the clone key ignores code only; a secret is digested with the keyed hash, never in clear', () => {
    const plain = keyHasher();
    const a = taskIdentity(base, plain);
    const b = taskIdentity({ ...base, codeKey: 'other' }, plain);
    expect(b.cacheKey).not.toBe(a.cacheKey);
    expect(b.cloneKey).toBe(a.cloneKey);
    expect(taskIdentity({ ...base, command: 'echo 2' }, plain).cloneKey).not.toBe(a.cloneKey);

    const secret = 's3cr3t-value';
    const hmacs: string[] = [];
    const keyed = (storeKey: string) => keyHasher({
      containsSecret: (t) => t.includes(secret),
      hmac: (t) => { hmacs.push(t); return `${storeKey}:${t.length}`; },
    });
    const withSecret = { ...base, env: { TOKEN: secret }, params: { token: secret } };
    const id = taskIdentity(withSecret, keyed('k1'));
    expect(JSON.stringify(id.parts)).not.toContain(secret);
    expect(id.parts.env.TOKEN).toMatch(/^hmac:/);
    expect(id.parts.params.token).toMatch(/^hmac:/);
    expect(hmacs.length).toBe(2);
    // another store key, another digest: keys of one store say nothing about another's secrets
    expect(taskIdentity(withSecret, keyed('k2')).cacheKey).not.toBe(id.cacheKey);
    expect(() => taskIdentity(withSecret, keyHasher({ containsSecret: (t) => t.includes(secret) }))).toThrow(/keyed hash/);
  });

  test('code keys leave out the flow file and honour deps globs', () => {
    const files = [
      { path: 'flow.yaml', hash: 'f1', size: 1, mode: 0o644 },
      { path: 'scripts/fit.py', hash: 'a1', size: 1, mode: 0o644 },
      { path: 'lib/util.py', hash: 'b1', size: 1, mode: 0o644 },
    ];
    const k = codeKey(files, { flowFile: 'flow.yaml' });
    expect(codeKey([{ ...files[0], hash: 'f2' }, files[1], files[2]], { flowFile: 'flow.yaml' })).toBe(k);
    const only = codeKey(files, { flowFile: 'flow.yaml', deps: ['scripts/**'] });
    expect(codeKey([files[0], files[1], { ...files[2], hash: 'b2' }], { flowFile: 'flow.yaml', deps: ['scripts/**'] })).toBe(only);
    expect(codeKey([files[0], { ...files[1], hash: 'a2' }, files[2]], { flowFile: 'flow.yaml', deps: ['scripts/**'] })).not.toBe(only);
  });
});

describe('resume --from', () => {
  const flow = spec(`
version: 1
name: r
steps:
  a: { run: "true" }
  g:
    needs: [a]
    foreach: [1, 2]
    steps:
      x: { run: "true" }
      y: { needs: [x], run: "true" }
      z: { run: "true" }
  after: { needs: [g], run: "true" }
  side: { needs: [a], run: "true" }
`);
  test('re-runs the step, what follows it in its group, and what follows the group', () => {
    expect([...stepsToRerun(flow, 'g.x')].sort()).toEqual(['after', 'g.x', 'g.y']);
    expect([...stepsToRerun(flow, 'a')].sort()).toEqual(['a', 'after', 'g', 'g.x', 'g.y', 'g.z', 'side']);
    expect([...stepsToRerun(flow, 'side')]).toEqual(['side']);
  });
  test('names the steps when the step is unknown', () => {
    expect(() => stepsToRerun(flow, 'g.q')).toThrow(/no step 'g.q'/);
  });
});

describe('params, masking, fan-out, queue, backoff', () => {
  const flow = spec(`
version: 1
name: p
params:
  n: { type: integer, default: 1 }
  key: { type: string, secret: true, default: "" }
steps:
  a: { run: "true" }
`);
  test('inherited params are used unless overridden; secrets are listed', () => {
    expect(resolveParams(flow, ['n=3'], { n: 2 })).toEqual({ values: { n: 3, key: '' }, secrets: ['key'] });
    expect(resolveParams(flow, [], { n: 2 }).values.n).toBe(2);
  });
  test('masking covers plain and JSON-escaped forms, longest first', () => {
    const m = makeMasker(['abc"def', 'abc']);
    expect(m.text('x abc"def y abc')).toBe('x *** y ***');
    expect(m.value({ s: 'abc"def' })).toEqual({ s: '***' });
    expect(makeMasker(['']).active).toBe(false);
  });
  test('matrix order: first axis slowest', () => {
    expect(cartesian([{ name: 'a', values: [1, 2] }, { name: 'b', values: ['x', 'y'] }])).toEqual([
      { a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 2, b: 'x' }, { a: 2, b: 'y' },
    ]);
  });
  test('the queue is FIFO and lets a smaller task pass a big one that does not fit', () => {
    const q = new TaskQueue<number>();
    for (const n of [4, 1, 2]) q.push(n, null);
    expect(q.takeFirst(() => true)?.item).toBe(4);
    q.push(8, null);
    expect(q.takeFirst((n) => n < 2)?.item).toBe(1);
    expect(q.takeFirst(() => true)?.item).toBe(2);
    expect(q.size).toBe(1);
  });
  test('exponential backoff doubles and is capped', () => {
    const r = { maxAttempts: 5, delayMs: 100, backoff: 'exponential' as const, maxDelayMs: 300 };
    expect([2, 3, 4, 5].map((n) => retryDelayMs(r, n))).toEqual([100, 200, 300, 300]);
    expect(retryDelayMs({ ...r, backoff: 'fixed' }, 4)).toBe(100);
  });
});
