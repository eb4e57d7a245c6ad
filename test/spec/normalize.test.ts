import { resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadFlow } from '../../src/spec/load.js';
import type { FlowSpec, GroupStepSpec, StepSpec, TaskStepSpec } from '../../src/spec/types.js';
import { normalizeOutput, parseMemory } from '../../src/spec/normalize-values.js';
import { tempDirSync } from '../helpers/tmp.js';

const V = 'test/fixtures/valid';

function step(spec: { steps: StepSpec[] }, path: string): StepSpec {
  const [head, ...rest] = path.split('.');
  const s = spec.steps.find((x) => x.name === head);
  if (!s) throw new Error(`no step ${path}`);
  return rest.length ? step(s as GroupStepSpec, rest.join('.')) : s;
}
const task = (spec: FlowSpec, path: string) => step(spec, path) as TaskStepSpec;

describe('normalize: defaults', () => {
  let spec: FlowSpec;
  beforeAll(async () => {
    spec = await loadFlow(`${V}/defaults.yaml`);
  });

  it('merges every default into a step that sets nothing', () => {
    const s = task(spec, 'inherit');
    expect(s.retry).toEqual({ maxAttempts: 2, delayMs: 1000, backoff: 'exponential', maxDelayMs: 30_000 });
    expect(s.timeoutMs).toBe(15 * 60_000);
    expect(Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, v.raw]))).toEqual({ PYTHONUNBUFFERED: '1', LEVEL: 'info' });
    expect(s.resources).toEqual({ cpu: 2, memory: 4096, gpu: 0 });
    expect(s).toMatchObject({ image: 'node:20-slim', executor: 'local', catch: false, cache: true, shell: 'bash' });
    expect(s.deps).toBeUndefined();
  });

  it('lets step values win, merging env and resources key by key', () => {
    const s = task(spec, 'override');
    expect(s.retry).toEqual({ maxAttempts: 4, delayMs: 0, backoff: 'fixed', maxDelayMs: 600_000 });
    expect(s.timeoutMs).toBe(90_000);
    // Numbers keep their written form.
    expect(Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, v.raw]))).toEqual({ PYTHONUNBUFFERED: '1', LEVEL: 'debug', EXTRA: '1.10' });
    expect(s.resources).toEqual({ cpu: 2, memory: 512, gpu: 1 });
    expect(s).toMatchObject({ executor: 'batch', catch: true, cache: false, shell: 'sh', deps: ['scripts/**/*.mjs'] });
  });

  it('applies defaults inside groups', () => {
    const g = step(spec, 'group');
    expect(g.kind).toBe('group');
    expect(task(spec, 'group.inner')).toMatchObject({ path: 'group.inner', image: 'node:20-slim', timeoutMs: 900_000 });
  });

  it('locates env values where they were written', () => {
    const s = task(spec, 'override');
    expect(s.env.LEVEL!.loc.line).toBe(21);
    expect(s.env.PYTHONUNBUFFERED!.loc.line).toBe(6);
  });
});

describe('normalize: the flow', () => {
  it('keeps name, params, hash, root and the file as absolute path', async () => {
    const file = `${V}/design-example.yaml`;
    const spec = await loadFlow(file);
    expect(spec).toMatchObject({ version: 1, name: 'train', description: 'Train and evaluate a classifier' });
    expect(spec.file).toBe(resolve(file));
    expect(spec.root).toBe(resolve(V));
    expect(spec.specHash).toBe(createHash('sha256').update(readFileSync(file)).digest('hex'));
    expect(spec.params.map((p) => [p.name, p.type, p.default, p.required, p.secret])).toEqual([
      ['alpha', 'number', 0.1, false, false],
      ['folds', 'integer', 3, false, false],
      ['token', 'string', '', false, true],
    ]);
    expect(spec.params[1]).toMatchObject({ minimum: 2, loc: { file, line: 7, col: 3 } });
    expect(spec.steps.map((s) => s.name)).toEqual(['prepare', 'split', 'fit', 'evaluate']);
  });

  it('normalizes retry, resources, timeout and foreach of a step', async () => {
    const spec = await loadFlow(`${V}/design-example.yaml`);
    const fit = task(spec, 'fit');
    expect(fit.retry.maxAttempts).toBe(4); // retry: 3 means three retries
    expect(fit.resources).toEqual({ cpu: 2, memory: 4096, gpu: 0 });
    expect(fit.timeoutMs).toBe(30 * 60_000);
    expect(fit.foreach).toMatchObject({ kind: 'list', items: { kind: 'expr', source: 'steps.split.values.folds' } });
    expect(fit.run.template.parts.filter((p) => typeof p !== 'string')).toHaveLength(2);
    expect(task(spec, 'evaluate')).toMatchObject({ catch: true, if: { source: 'params.folds > 1' } });
    expect(task(spec, 'prepare')).toMatchObject({ needs: [], outputs: ['clean.csv'], executor: 'local', shell: 'sh' });
  });

  it('takes root: relative to the flow file', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = tempDirSync('flowctl-root-');
    writeFileSync(`${dir}/f.yaml`, 'version: 1\nname: r\nroot: ..\nsteps:\n  a: { run: echo }\n');
    expect((await loadFlow(`${dir}/f.yaml`)).root).toBe(resolve(dir, '..'));
  });

  it('builds matrix axes in file order, literal or expression', async () => {
    const spec = await loadFlow(`${V}/matrix.yaml`);
    const f = step(spec, 'search').foreach!;
    expect(f.kind).toBe('matrix');
    if (f.kind !== 'matrix') return;
    expect(f.axes.map((a) => [a.name, a.values.kind])).toEqual([['lr', 'literal'], ['depth', 'expr']]);
    expect(f.axes[0]!.values).toMatchObject({ value: [0.1, 0.01] });
    expect(step(spec, 'best').needs).toEqual(['search']);
  });

  it('nests groups with qualified paths', async () => {
    const spec = await loadFlow(`${V}/nested-groups.yaml`);
    expect(step(spec, 'per_dataset.per_fold.per_lr.fit').path).toBe('per_dataset.per_fold.per_lr.fit');
    expect(step(spec, 'per_dataset.per_fold.per_lr').foreach).toMatchObject({ kind: 'list', items: { kind: 'literal', value: [0.1, 0.01] } });
    expect(step(spec, 'per_dataset.per_fold').needs).toEqual(['split']);
  });

  it('keeps every param type', async () => {
    const spec = await loadFlow(`${V}/params.yaml`);
    expect(spec.params.map((p) => p.type)).toEqual(['string', 'string', 'number', 'integer', 'boolean', 'list', 'object', 'string']);
    expect(spec.params.find((p) => p.name === 'dataset')).toMatchObject({ required: true });
    expect(spec.params.find((p) => p.name === 'dataset')!.default).toBeUndefined();
    expect(spec.params.find((p) => p.name === 'opts')!.default).toEqual({ seed: 1, mode: 'fast' });
    expect(spec.params.find((p) => p.name === 'folds')!.enum).toEqual([3, 5, 10]);
  });
});

describe('normalize helpers', () => {
  it.each([[4096, 4096], ['4096', 4096], ['512Mi', 512], ['4Gi', 4096], ['1.5Gi', 1536], ['1Ti', 1048576], ['4GB', undefined], [-1, undefined]] as const)('memory %j → %j MiB', (v, mib) => {
    expect(parseMemory(v)).toBe(mib);
  });

  it.each([['./model.json', 'model.json'], ['out/', 'out'], ['a//b/./c', 'a/b/c'], ['.', '.'], ['./', '.']])('output %s → %s', (raw, out) => {
    expect(normalizeOutput(raw)).toBe(out);
  });
});
