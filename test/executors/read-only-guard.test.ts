/** As root, a task must not be able to write through a read-only staged input (a hardlink into the store). */
import { execa } from 'execa';
import { chmodSync, linkSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalProcessRunner } from '../../src/executors/local-process.js';
import { REPO } from '../helpers/cli.js';
import { isRoot, request, tempDir } from './helpers.js';

// CI runs as root (see .ci/run); there the test must run, so only a non-root run elsewhere skips it.
const rootTest = isRoot || process.env.CI ? test : test.skip;

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const script = 'echo x >> input.csv; echo "append=$?"; echo new > new.txt; echo "create=$?"; echo "$(id -u)"';

function stageReadOnly(): string {
  // Like staging: the store object is 0444 and the task sees a hardlink to it.
  const object = join(dir, 'object');
  writeFileSync(object, 'original\n');
  chmodSync(object, 0o444);
  linkSync(object, join(dir, 'input.csv'));
  return object;
}

rootTest('as root (CI), writing to a 0444 staged file fails while creating new files works', async () => {
  const executor = new LocalProcessRunner();
  expect(await executor.guardsReadOnly()).toBe(true);
  const object = stageReadOnly();
  const { req, log } = request(dir, script);
  const r = await executor.run(req);
  expect(r.state).toBe('succeeded');
  expect(log.out()).toEqual(['append=2', 'create=0', '0']); // still root, just without the override
  expect(log.err().join('\n')).toMatch(/Permission denied/);
  expect(readFileSync(object, 'utf8')).toBe('original\n');
  expect(readFileSync(join(dir, 'new.txt'), 'utf8')).toBe('new\n');
});

rootTest('protectReadOnly: false leaves root its override (the write goes through)', async () => {
  const executor = new LocalProcessRunner({ protectReadOnly: false });
  expect(await executor.guardsReadOnly()).toBe(false);
  const object = stageReadOnly();
  const { req, log } = request(dir, script);
  await executor.run(req);
  expect(log.out()).toEqual(['append=0', 'create=0', '0']);
  expect(readFileSync(object, 'utf8')).toBe('original\nx\n');
});

test('not root: the guard is not used and mode bits protect the file anyway', async () => {
  const object = stageReadOnly();
  // Under root (CI) the case is run by a child process as user nobody; it may read the
  // repository whatever its modes (CAP_DAC_READ_SEARCH), never write past them.
  const { guards, out } = isRoot ? await asNobody(dir, script) : await here(dir, script);
  expect(guards).toBe(false);
  expect(out[0]).not.toBe('append=0');
  expect(out[2]).not.toBe('0'); // really not root
  expect(readFileSync(object, 'utf8')).toBe('original\n');
});

async function here(cwd: string, command: string): Promise<{ guards: boolean; out: string[] }> {
  const executor = new LocalProcessRunner();
  const { req, log } = request(cwd, command);
  await executor.run(req);
  return { guards: await executor.guardsReadOnly(), out: log.out() };
}

async function asNobody(cwd: string, command: string): Promise<{ guards: boolean; out: string[] }> {
  chmodSync(cwd, 0o777);
  const host = join(cwd, 'host.mjs');
  writeFileSync(host, `
    import { readFileSync } from 'node:fs';
    const { LocalProcessRunner } = await import(${JSON.stringify(join(REPO, 'dist/executors/local-process.js'))});
    const executor = new LocalProcessRunner();
    const out = join => readFileSync(join, 'utf8').split('\\n').filter(Boolean);
    await executor.run({ runId: 'r', step: 's', taskId: '0', attempt: 1, shell: 'sh', env: {},
      cwd: ${JSON.stringify(cwd)}, command: ${JSON.stringify(command)}, resources: { cpu: 1, memory: 1, gpu: 0 },
      stdoutPath: ${JSON.stringify(join(cwd, 'out.log'))}, stderrPath: ${JSON.stringify(join(cwd, 'err.log'))} });
    console.log(JSON.stringify({ guards: await executor.guardsReadOnly(), out: out(${JSON.stringify(join(cwd, 'out.log'))}) }));
  `);
  const caps = ['--inh-caps=+dac_read_search', '--ambient-caps=+dac_read_search'];
  const r = await execa('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...caps, '--', process.execPath, host], { reject: false });
  if (r.exitCode !== 0) throw new Error(`host as nobody failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
