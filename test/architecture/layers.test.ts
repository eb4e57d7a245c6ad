/**
 * DESIGN.md §7: data flows one way. Each top-level directory of src/ is a layer and may import
 * only the layers listed for it; nothing imports upward or in a circle, and only src/cli and
 * src/commands know oclif. Reads the import statements of every source file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/cli.js';

const SRC = path.join(REPO, 'src');

/** Who may import whom (besides itself and `errors`). Keep README's architecture picture in step. */
const ALLOWED: Record<string, readonly string[]> = {
  store: [],
  task: ['store'],
  executors: ['task', 'store'],
  spec: [],
  graph: ['spec', 'store'],
  runtime: ['graph', 'spec', 'executors', 'task', 'store'],
  // graph: the pure comparison of cache keys (why a task was not reused)
  client: ['store', 'graph'],
  term: [],
  ui: ['runtime', 'graph', 'term', 'store'],
  browse: ['client', 'graph', 'spec', 'store', 'term'],
  web: ['client', 'graph', 'spec', 'store', 'term'],
  cli: ['runtime', 'ui', 'browse', 'client', 'graph', 'spec', 'executors', 'task', 'store', 'term', 'web'],
  commands: ['cli', 'runtime', 'ui', 'browse', 'client', 'graph', 'spec', 'executors', 'task', 'store', 'term', 'web'],
  // the package entry: the client API, and the run service for programmatic runs
  'index.ts': ['client', 'store', 'runtime'],
};
const OCLIF_OK = new Set(['cli', 'commands']);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return /\.tsx?$/.test(n) ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = path.relative(SRC, file).split(path.sep);
  return rel.length === 1 ? rel[0]! : rel[0]!;
}

function imports(file: string): string[] {
  const src = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...src.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('layers', () => {
  const all = files(SRC);

  test('every source file is in a known layer', () => {
    const unknown = all.map(layerOf).filter((l) => !(l in ALLOWED) && l !== 'errors.ts');
    expect([...new Set(unknown)]).toEqual([]);
  });

  test('no import goes to a layer it may not use', () => {
    const bad: string[] = [];
    for (const file of all) {
      const from = layerOf(file);
      if (from === 'errors.ts') continue;
      for (const spec of imports(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), spec);
        if (!target.startsWith(SRC + path.sep)) continue;
        const to = layerOf(target.replace(/\.js$/, '.ts'));
        if (to === from || to === 'errors.ts' || to === 'errors.js') continue;
        if (!ALLOWED[from]!.includes(to)) bad.push(`${path.relative(REPO, file)} imports ${spec} (${from} → ${to})`);
      }
    }
    expect(bad).toEqual([]);
  });

  test('only src/cli and src/commands import oclif', () => {
    const bad = all.filter((f) => !OCLIF_OK.has(layerOf(f)) && imports(f).some((s) => /^@?oclif(\/|$)/.test(s)));
    expect(bad.map((f) => path.relative(REPO, f))).toEqual([]);
  });

  test('the layer graph has no cycle', () => {
    const seen = new Set<string>();
    const stack = new Set<string>();
    const cycle = (l: string): boolean => {
      if (stack.has(l)) return true;
      if (seen.has(l)) return false;
      seen.add(l);
      stack.add(l);
      const found = (ALLOWED[l] ?? []).some(cycle);
      stack.delete(l);
      return found;
    };
    expect(Object.keys(ALLOWED).filter(cycle)).toEqual([]);
  });
});
