import { spawnSync } from 'node:child_process';
import { renderGraph } from '../../src/graph/render.js';
import { loadFlow } from '../../src/spec/load.js';
import type { FlowSpec, StepSpec } from '../../src/spec/types.js';

const allSteps = (steps: StepSpec[]): StepSpec[] => steps.flatMap((s) => [s, ...(s.kind === 'group' ? allSteps(s.steps) : [])]);
const hasDot = spawnSync('dot', ['-V']).status === 0;
// Skipped only off CI: .ci/run installs graphviz, so there a missing `dot` fails the test.
const dotTest = hasDot || process.env.CI ? it : it.skip;

describe('renderGraph', () => {
  let nested: FlowSpec;
  let design: FlowSpec;
  beforeAll(async () => {
    nested = await loadFlow('test/fixtures/valid/nested-groups.yaml');
    design = await loadFlow('test/fixtures/valid/design-example.yaml');
  });

  it('text: an indented tree in dependency order with needs and fan-out marks', () => {
    expect(renderGraph(design, 'text')).toBe([
      'flow train',
      '├─ prepare',
      '├─ split ← prepare',
      '├─ fit [foreach] ← split',
      '└─ evaluate [if] ← fit',
      '',
    ].join('\n'));
    expect(renderGraph(nested, 'text')).toBe([
      'flow nested',
      '├─ prepare',
      '├─ per_dataset [foreach] ← prepare',
      '│  ├─ split',
      '│  ├─ per_fold [foreach] ← split',
      '│  │  ├─ per_lr [foreach]',
      '│  │  │  ├─ fit',
      '│  │  │  └─ score ← fit',
      '│  │  └─ pick_lr ← per_lr',
      '│  └─ join_folds ← per_fold',
      '└─ report ← per_dataset',
      '',
    ].join('\n'));
  });

  it('text marks matrix steps', async () => {
    expect(renderGraph(await loadFlow('test/fixtures/valid/matrix.yaml'), 'text')).toContain('search [matrix]');
  });

  it('mermaid: names every step in a quoted label, groups as subgraphs, fan-out marked', () => {
    const out = renderGraph(nested, 'mermaid');
    expect(out.startsWith('flowchart TD\n')).toBe(true);
    for (const s of allSteps(nested.steps)) expect(out).toMatch(new RegExp(`\\["+${s.name}( ⟳ (foreach|matrix))?"`));
    expect(out.match(/^\s*subgraph /gm)).toHaveLength(3);
    expect(out.match(/^\s*end$/gm)).toHaveLength(3);
    expect(out).toContain('["per_dataset ⟳ foreach"]');
    expect(out).toMatch(/class n\d+(,n\d+)* fanout/);
    // Every edge joins declared ids.
    const ids = new Set([...out.matchAll(/^\s*(?:subgraph )?(n\d+)\[/gm)].map((m) => m[1]));
    for (const [, a, b] of out.matchAll(/^\s*(n\d+) --> (n\d+)$/gm)) {
      expect(ids.has(a)).toBe(true);
      expect(ids.has(b)).toBe(true);
    }
    expect([...out.matchAll(/-->/g)]).toHaveLength(6);
  });

  it('mermaid: a foreach task is drawn as a stacked (subroutine) node', () => {
    expect(renderGraph(design, 'mermaid')).toMatch(/n2\[\["fit ⟳ foreach"\]\]/);
  });

  it('dot: a digraph with clusters for groups, compound edges into them, quoted ids', () => {
    const out = renderGraph(nested, 'dot');
    expect(out.startsWith('digraph "nested" {\n')).toBe(true);
    expect(out.trimEnd().endsWith('}')).toBe(true);
    expect(out).toContain('subgraph "cluster_per_dataset" {');
    expect(out).toContain('subgraph "cluster_per_dataset.per_fold.per_lr" {');
    expect(out).toContain('"prepare" -> "per_dataset.split" [lhead="cluster_per_dataset"];');
    expect(out).toContain('"per_dataset.join_folds" -> "report" [ltail="cluster_per_dataset"];');
    for (const s of allSteps(nested.steps)) expect(out).toContain(s.kind === 'group' ? `label="${s.name}` : `"${s.path}" [label="${s.name}`);
    expect(renderGraph(design, 'dot')).toContain('"fit" [label="fit ⟳ foreach", shape=box3d');
    const opens = out.split('{').length;
    expect(out.split('}').length).toBe(opens);
  });

  dotTest('dot: graphviz accepts it', () => {
    expect({ dot: hasDot ? 'found' : 'graphviz `dot` is not installed (.ci/run installs it)' }).toEqual({ dot: 'found' });
    for (const spec of [nested, design]) {
      const r = spawnSync('dot', ['-Tsvg'], { input: renderGraph(spec, 'dot') });
      expect(r.stderr.toString()).toBe('');
      expect(r.status).toBe(0);
    }
  });
});
