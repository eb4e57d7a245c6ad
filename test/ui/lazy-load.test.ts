/**
 * The live view is lazy: commands and modes that do not draw it never import ink or react.
 * Proof by observation: the real CLI runs with a module-resolution hook preloaded
 * (fixtures/log-imports.mjs) that logs every module URL the process resolves.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { flowctl, makeProject } from '../helpers/cli.js';

const HOOK = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/log-imports.mjs');
const FLOW = `
version: 1
name: lazy
steps:
  a: { run: echo a }
  b: { needs: [a], foreach: [1, 2], run: 'echo b \${{ item }}' }
`;

async function modulesLoaded(args: string[]): Promise<{ urls: string[]; flowctlPid: string; byPid: (pid: string) => string[]; exitCode: number }> {
  const dir = await makeProject({ 'flow.yaml': FLOW });
  const log = path.join(dir, 'imports.log');
  const r = await flowctl(args, {
    cwd: dir,
    env: { NODE_OPTIONS: `--import=${HOOK}`, FLOWCTL_IMPORT_LOG: log },
  });
  const entries = (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]);
  const flowctlPid = entries.find(([, url]) => url.endsWith('/bin/flowctl.js'))?.[0] ?? '?';
  return {
    urls: entries.map(([, url]) => url), flowctlPid, exitCode: r.exitCode,
    byPid: (pid) => entries.filter(([p]) => p === pid).map(([, url]) => url),
  };
}

const uses = (urls: string[], pkg: string) => urls.some((u) => u.includes(`/node_modules/${pkg}/`));

describe('the live view is loaded only when drawn', () => {
  test.each([
    [['run', 'flow.yaml', '--output', 'plain']],
    [['run', 'flow.yaml']], // auto, and stderr is a pipe here: plain
    [['run', 'flow.yaml', '--output', 'json']],
    [['run', 'flow.yaml', '--quiet']],
    [['validate', 'flow.yaml']],
  ])('flowctl %j imports neither ink nor react', async (args) => {
    const { urls, exitCode } = await modulesLoaded(args);
    expect(exitCode).toBe(0);
    // the hook saw the command run (so an absence below means something)
    expect(uses(urls, '@oclif/core')).toBe(true);
    expect(urls.some((u) => /\/dist\/commands\/(run|validate)\.js$/.test(u))).toBe(true);
    expect(uses(urls, 'ink')).toBe(false);
    expect(uses(urls, 'react')).toBe(false);
    expect(urls.some((u) => u.includes('/dist/ui/live'))).toBe(false);
  });

  test('control: --output live imports them, in the view process only', async () => {
    const { urls, exitCode, flowctlPid, byPid } = await modulesLoaded(['run', 'flow.yaml', '--output', 'live']);
    expect(exitCode).toBe(0);
    // The build bundles the view with ink and react into one file (bundle-view.ts).
    expect(urls.some((u) => u.endsWith('/dist/ui/live/process.bundle.js'))).toBe(true);
    expect(byPid(flowctlPid).some((u) => u.includes('/dist/ui/live/process'))).toBe(false);
    // the process that schedules and spawns the tasks never loads them
    expect(byPid(flowctlPid).some((u) => u.endsWith('/dist/commands/run.js'))).toBe(true);
    expect(uses(byPid(flowctlPid), 'ink')).toBe(false);
    expect(uses(byPid(flowctlPid), 'react')).toBe(false);
  });
});
