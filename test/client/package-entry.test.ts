/** The package entry (dist/index.js) as a user's script sees it: node imports it and reads an artifact. */
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO, runFlow, StoreReader, trainProject } from '../show/helpers.js';

test('a node script imports { Flow } from dist/index.js and reads an artifact', async () => {
  const cwd = await trainProject();
  const { id } = await runFlow(cwd, 'train.yaml', ['--param', 'epochs=5']);
  const script = `
    import { Flow, namespace } from ${JSON.stringify(path.join(REPO, 'dist/index.js'))};
    const run = await new Flow('train').latestSuccessfulRun();
    const m = await run.step('fit').task(0).artifact('metrics.json').json();
    const tasks = await run.step('fit').tasks();
    console.log(JSON.stringify({ id: run.id, fold: m.fold, accuracy: m.accuracy, values: tasks.map((t) => t.values), ns: run.namespace }));
  `;
  const r = await execa('node', ['--input-type=module', '-e', script], { cwd, env: { FLOWCTL_USER: 'tester' }, reject: false });
  expect(r.stderr).toBe('');
  const out = JSON.parse(String(r.stdout));
  const metrics = JSON.parse(await StoreReader.of(cwd).output('train', id, 'fit', '0', 'metrics.json'));
  expect(out).toMatchObject({ id, fold: 0, accuracy: metrics.accuracy, ns: 'user:tester' });
  expect(out.values).toHaveLength(3);
}, 60000);

test('the entry imports neither oclif, ink/react nor the runtime, commands or ui', async () => {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = async (file: string): Promise<void> => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = await readFile(file, 'utf8');
    for (const m of src.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) await visit(path.resolve(path.dirname(file), spec));
      else bare.add(spec.replace(/^node:/, 'node:'));
    }
  };
  await visit(path.join(REPO, 'dist/index.js'));
  const rel = [...seen].map((f) => path.relative(path.join(REPO, 'dist'), f));
  // The pure key modules of graph/ are shared with the client (task.cacheStatus(): why a task was not reused), loaded on demand.
  const shared = /^graph\/(cache-key|cache-status|key-diff)\.js$/;
  expect(rel.filter((f) => /^(runtime|commands|cli|ui|executors|task|spec|graph)\//.test(f) && !shared.test(f))).toEqual([]);
  expect([...bare].filter((b) => /^(@oclif|oclif|ink|react)(\/|$)/.test(b))).toEqual([]);
  const dts = await readFile(path.join(REPO, 'dist/index.d.ts'), 'utf8');
  expect(dts).toMatch(/client\/index\.js/);
});
