/**
 * The web server is loaded by `flowctl ui` alone: other commands (and `flowctl report`, which
 * needs no server) never import hono or the server. Observed with the module-resolution hook
 * of the live view's test (test/ui/fixtures/log-imports.mjs), on the real CLI.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';

const HOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), '../ui/fixtures/log-imports.mjs');
let dir: string;
let run: string;

beforeAll(async () => {
  dir = await makeProject({ 'flow.yaml': 'version: 1\nname: lazy\nsteps:\n  a: { run: echo a }\n' });
  run = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd: dir }));
}, 30_000);

afterAll(() => rm(dir, { recursive: true, force: true }));

async function modulesLoaded(args: string[]): Promise<{ urls: string[]; exitCode: number }> {
  const log = path.join(dir, `imports-${args[0]}.log`);
  const r = await flowctl(args, { cwd: dir, env: { NODE_OPTIONS: `--import=${HOOK}`, FLOWCTL_IMPORT_LOG: log } });
  const urls = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => l.split(' ')[1]);
  await rm(log, { force: true });
  return { urls, exitCode: r.exitCode };
}

const server = (u: string) => u.includes('/node_modules/hono/') || u.includes('/node_modules/@hono/') || /\/dist\/web\/(server\.js|app\.js|routes\/)/.test(u);

test.each([[['--version']], [['show', 'lazy']], [['run', 'flow.yaml']], [['ui', '--help']]])('flowctl %j imports no web server', async (args) => {
  const { urls, exitCode } = await modulesLoaded(args);
  expect(exitCode).toBe(0);
  expect(urls.some((u) => u.includes('/node_modules/@oclif/core/'))).toBe(true); // the hook saw the command run
  expect(urls.filter(server)).toEqual([]);
}, 30_000);

test('flowctl report builds its page without the server', async () => {
  const { urls, exitCode } = await modulesLoaded(['report', `lazy/${run}`, '-o', path.join(dir, 'r.html')]);
  expect(exitCode).toBe(0);
  expect(urls.some((u) => u.endsWith('/dist/web/report.js'))).toBe(true);
  expect(urls.filter(server)).toEqual([]);
}, 30_000);
