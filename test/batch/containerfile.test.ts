/**
 * Issue 15, item 4: the base task image's Containerfile (images/flowctl-task) stays buildable
 * from this repository. Building it needs a registry (the node base image), which tests do not
 * have; this checks what it relies on: the files it copies exist, the scripts it runs exist, the
 * package it installs holds the CLI, and nothing would wrap the job's command (no ENTRYPOINT).
 */
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/cli.js';

const FILE = path.join(REPO, 'images/flowctl-task/Containerfile');
const lines = readFileSync(FILE, 'utf8').replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
const stages = lines.reduce<string[][]>((acc, l) => (l.startsWith('FROM ') ? [...acc, [l]] : (acc.at(-1)!.push(l), acc)), []);

test('every file it copies from the build context exists, and the build script it runs does too', () => {
  const copies = lines.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
  expect(copies.length).toBeGreaterThan(0);
  for (const c of copies) {
    const sources = c.split(/\s+/).slice(1, -1);
    for (const s of sources) expect({ s, exists: existsSync(path.join(REPO, s)) }).toEqual({ s, exists: true });
  }
  const scripts = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')).scripts as Record<string, string>;
  for (const [, name] of lines.join('\n').matchAll(/npm run (\S+)/g)) expect(scripts).toHaveProperty(name!);
});

test('the final image is Node 20+ with flowctl installed and checked, and no ENTRYPOINT wraps the job command', () => {
  expect(stages.length).toBeGreaterThanOrEqual(2);
  const final = stages.at(-1)!;
  expect(Number(/node:(\d+)/.exec(final[0]!)?.[1])).toBeGreaterThanOrEqual(20);
  expect(final.join('\n')).toMatch(/npm install --global[^\n]*flowctl\.tgz[^\n]*&& flowctl --version/);
  expect(lines.some((l) => l.startsWith('ENTRYPOINT'))).toBe(false);
});

test('the package it packs holds the CLI and its manifest (npm pack --dry-run of the built tree)', async () => {
  const r = await execa('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO });
  const files = new Set((JSON.parse(r.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path));
  for (const f of ['bin/flowctl.js', 'dist/index.js', 'dist/commands/task.js', 'dist/executors/stored-attempt.js', 'oclif.manifest.json', 'schemas/flow.schema.json']) {
    expect({ f, packed: files.has(f) }).toEqual({ f, packed: true });
  }
}, 60_000);
