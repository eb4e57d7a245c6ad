/**
 * Shell completion (issue 17, item 6): `flowctl autocomplete` builds @oclif/plugin-autocomplete's
 * bash and zsh functions plus flowctl's additions; the bash function, loaded into a real bash
 * the way the set-up script does, completes commands, flags, flow files and run paths.
 */
import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { BIN, flowctl, makeProject, runIdFrom } from '../helpers/cli.js';

let cwd: string;
let env: Record<string, string>;
let runId: string;
/** What `flowctl autocomplete script bash` tells users to add to ~/.bashrc. */
let setup: string;

beforeAll(async () => {
  cwd = await makeProject({ 'flows/train.yaml': 'version: 1\nname: train\nsteps:\n  fit:\n    foreach: [0, 1]\n    run: echo > model.json\n    outputs: [model.json]\n', 'notes.txt': 'x' });
  await mkdir(path.join(cwd, 'bin'));
  await writeFile(path.join(cwd, 'bin', 'flowctl'), `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`, { mode: 0o755 });
  env = { XDG_CACHE_HOME: path.join(cwd, 'cache'), HOME: cwd, PATH: `${path.join(cwd, 'bin')}:${process.env.PATH}`, FLOWCTL_USER: 'tester' };
  runId = runIdFrom(await flowctl(['run', 'flows/train.yaml', '-q'], { cwd, env }));
  const r = await flowctl(['autocomplete', 'bash'], { cwd, env });
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain('flowctl autocomplete script bash');
  setup = (await flowctl(['autocomplete', 'script', 'bash'], { cwd, env })).stdout;
}, 60_000);

/** What bash offers for the words typed so far (the last one is being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const script = `${setup}\nCOMP_WORDS=(flowctl ${quoted}); COMP_CWORD=${words.length}; COMPREPLY=()\n_flowctl_complete\nprintf '%s\\n' "\${COMPREPLY[@]}"`;
  const r = await execa('bash', ['-c', script], { cwd, env: { ...process.env, ...env }, reject: false });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter(Boolean).sort();
}

test('bash completes commands, flags (also after arguments), flow files and run paths', async () => {
  expect(await complete('ru')).toEqual(['run']);
  expect(await complete('tag', 'a')).toEqual(['add']);
  expect(await complete('run', 'flows/train.yaml', '--ta')).toEqual(['--tag']);
  expect(await complete('run', 'flows/')).toEqual(['flows/train.yaml']);
  expect(await complete('show', 'tr')).toEqual(['train/']);
  expect(await complete('show', 'train/')).toEqual([`train/${runId}/`, 'train/latest/']);
  expect(await complete('logs', 'train/latest/')).toEqual(['train/latest/fit/']);
  expect(await complete('show', 'train/latest/fit/')).toEqual(['train/latest/fit/0/', 'train/latest/fit/1/']);
  expect(await complete('show', 'train/latest/fit/1/')).toEqual(['train/latest/fit/1/model.json']);
  expect(await complete('tag', 'add', 'train/l')).toEqual(['train/latest/']);
  expect(await complete('resume', 'f')).toEqual(['flows']);
}, 120_000);

test('the zsh function completes flow files and run paths through flowctl complete', async () => {
  const zsh = await readFile(path.join(cwd, 'cache', 'flowctl', 'autocomplete', 'functions', 'zsh', '_flowctl'), 'utf8');
  expect(zsh).toMatch(/^#compdef flowctl\n/);
  expect(zsh).toContain('_flowctl_values() {');
  expect(zsh).toContain('flowctl complete "${words[CURRENT]}"');
  expect(zsh).not.toContain('"*: :_files"');
  // building it again (--refresh-cache) adds flowctl's part once
  await flowctl(['autocomplete', '--refresh-cache'], { cwd, env });
  const bash = await readFile(path.join(cwd, 'cache', 'flowctl', 'autocomplete', 'functions', 'bash', 'flowctl.bash'), 'utf8');
  expect(bash.split('_flowctl_complete() {').length).toBe(2);
});
