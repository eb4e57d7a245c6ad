/** Why a task was not reused, part by part: the pure comparison of two cache keys (src/graph/key-diff.ts). */
import { codeKey } from '../../src/graph/cache-key.js';
import { notReusedStatus } from '../../src/graph/cache-status.js';
import { codeFileChanges, diffKeys, type KeySide } from '../../src/graph/key-diff.js';
import type { CodeFile } from '../../src/store/manifest.js';
import type { TaskKeyParts } from '../../src/store/records.js';

const file = (path: string, hash: string, mode = 0o644): CodeFile => ({ path, hash, size: 1, mode });
const filesA = [file('flow.yaml', 'f1'), file('scripts/fit.mjs', 'a1'), file('scripts/prep.mjs', 'p1')];
const filesB = [file('flow.yaml', 'f2'), file('notes.txt', 'n1'), file('scripts/fit.mjs', 'a2'), file('scripts/prep.mjs', 'p1')];

function parts(over: Partial<TaskKeyParts> = {}): TaskKeyParts {
  return {
    v: 2, flow: 'f', step: 's', taskId: '0', item: null, itemIndex: null, items: 'i', command: 'c', shell: 'sh', image: null,
    env: { A: '1' }, params: { lr: 'x', seed: 'y' }, code: codeKey(filesA, { flowFile: 'flow.yaml' }), inputs: { 'clean.csv': 'file:1' }, outputs: ['m.json'],
    ...over,
  };
}

test('equal keys: no changes', () => {
  expect(diffKeys({ parts: parts() }, { parts: parts() })).toEqual([]);
});

test('every part is named, with old and new values where the records keep them', () => {
  const earlier: KeySide = { parts: parts(), command: 'node fit.mjs --lr 0.1', params: { lr: 0.1, seed: 1 }, code: { files: filesA, flowFile: 'flow.yaml' }, deps: null };
  const current: KeySide = {
    parts: parts({
      command: 'd', params: { lr: 'z', beta: 'b' }, env: { A: '1', B: '2' }, inputs: { 'clean.csv': 'file:2', 'extra.csv': 'file:3' },
      outputs: ['m.json', 'n.json'], image: 'node:20', code: codeKey(filesB, { flowFile: 'flow.yaml' }),
    }),
    command: 'node fit.mjs --lr 0.2', params: { lr: 0.2, beta: 3 }, code: { files: filesB, flowFile: 'flow.yaml' }, deps: null,
  };
  const changes = diffKeys(earlier, current, { 'clean.csv': 'prepare' });
  expect(changes.map((c) => c.text)).toEqual([
    'command: node fit.mjs --lr 0.1 → node fit.mjs --lr 0.2',
    'param beta added: 3',
    'param lr: 0.1 → 0.2',
    'param seed no longer read (was 1)',
    'code: notes.txt added, scripts/fit.mjs changed (the step sees all project files; narrow with deps:)',
    'input clean.csv changed (from prepare)',
    'input extra.csv added',
    'env B added',
    'image: none (host) → node:20',
    'outputs: [m.json] → [m.json, n.json]',
  ]);
  expect(changes.find((c) => c.part === 'code')?.files).toEqual([{ path: 'notes.txt', change: 'added' }, { path: 'scripts/fit.mjs', change: 'changed' }]);
  expect(changes.find((c) => c.part === 'param' && c.name === 'lr')).toMatchObject({ change: 'changed', from: 0.1, to: 0.2 });
  expect(changes.find((c) => c.part === 'input' && c.name === 'clean.csv')).toMatchObject({ step: 'prepare', change: 'changed' });
});

test('code: a step with deps names only the files its globs match; the flow file never counts', () => {
  const deps = ['scripts/prep.mjs'];
  const a: KeySide = { parts: parts({ code: codeKey(filesA, { flowFile: 'flow.yaml', deps }) }), code: { files: filesA, flowFile: 'flow.yaml' }, deps };
  const b: KeySide = { parts: parts({ code: codeKey(filesB, { flowFile: 'flow.yaml', deps }) }), code: { files: filesB, flowFile: 'flow.yaml' }, deps };
  expect(diffKeys(a, b)).toEqual([]); // notes.txt, fit.mjs and flow.yaml changed, none of which it sees
  const deps2 = ['scripts/**'];
  const c: KeySide = { ...b, parts: parts({ code: codeKey(filesB, { flowFile: 'flow.yaml', deps: deps2 }) }), deps: deps2 };
  const d: KeySide = { ...a, parts: parts({ code: codeKey(filesA, { flowFile: 'flow.yaml', deps: deps2 }) }), deps: deps2 };
  expect(diffKeys(d, c).map((x) => x.text)).toEqual(["code: scripts/fit.mjs changed (files matching the step's deps: scripts/**)"]);
});

test('code: unknown deps are found by checking the recorded digests; a missing manifest is said', () => {
  const deps = ['scripts/**'];
  const a: KeySide = { parts: parts({ code: codeKey(filesA, { flowFile: 'flow.yaml', deps }) }), code: { files: filesA, flowFile: 'flow.yaml' }, deps: undefined };
  const b: KeySide = { parts: parts({ code: codeKey(filesB, { flowFile: 'flow.yaml', deps }) }), code: { files: filesB, flowFile: 'flow.yaml' }, deps };
  expect(codeFileChanges(a, b)).toEqual({ files: [{ path: 'scripts/fit.mjs', change: 'changed' }], deps });
  expect(diffKeys({ ...a, code: undefined }, b)[0]!.text).toBe('code changed (which files cannot be told: a code snapshot is not in the store)');
});

test('secrets: equal masked values say what changed without showing it', () => {
  const a: KeySide = { parts: parts({ command: 'x', params: { token: 'hmac:1' } }), command: 'curl -H $FLOW_SECRET_0', params: { token: '***' } };
  const b: KeySide = { parts: parts({ command: 'y', params: { token: 'hmac:2' } }), command: 'curl -H $FLOW_SECRET_0', params: { token: '***' } };
  expect(diffKeys(a, b).map((c) => c.text)).toEqual(['command changed (a secret in it changed)', 'param token changed (secret)']);
});

test('items, position and format', () => {
  const a: KeySide = { parts: parts({ taskId: '2', item: 'i1', itemIndex: 2, items: 'L1' }), item: 'b' };
  const b: KeySide = { parts: parts({ taskId: '0', item: 'i2', itemIndex: 0, items: 'L2' }), item: 'c' };
  // One fan-out level: the items are the item itself, said once.
  expect(diffKeys(a, b).map((c) => c.text)).toEqual(['task id 2 → 0', 'item: "b" → "c"', 'item index: 2 → 0']);
  // Nested (`1.2`): an enclosing group's item may have changed too.
  const nested = (side: KeySide): KeySide => ({ ...side, parts: { ...side.parts, taskId: `1.${side.parts.taskId}` } });
  expect(diffKeys(nested(a), nested(b)).map((c) => c.text)).toEqual([
    'task id 1.2 → 1.0', 'item: "b" → "c"', 'item index: 2 → 0', "the foreach items changed (the step's list or an enclosing group's)",
  ]);
  expect(diffKeys({ parts: { ...parts(), v: 1 as 2 } }, { parts: parts() }).map((c) => c.part)).toEqual(['format']);
});

test('a summary line per reason', () => {
  expect(notReusedStatus('ran', 'new', { step: 'fit' }).summary).toBe('ran: no earlier task of step fit');
  expect(notReusedStatus('would-run', 'upstream', { step: 'fit', upstream: ['prep'] }).summary).toBe('would run: upstream prep runs first (if its outputs come out unchanged, this is cached then)');
  const changes = diffKeys({ parts: parts(), params: { lr: 1 } }, { parts: parts({ params: { lr: 'z', seed: 'y' } }), params: { lr: 2 } });
  const s = notReusedStatus('ran', 'changed', { step: 'fit', changes, comparedWith: { pathspec: 'f/R/fit/0', runId: 'R', step: 'fit', taskId: '0', state: 'succeeded' } });
  expect(s.summary).toBe('ran: param lr: 1 → 2 (compared with f/R/fit/0)');
});
