/** As root, a task must not be able to write through a read-only staged input (a hardlink into the store). */
import { chmodSync, linkSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalExecutor } from '../../src/executors/local.js';
import { isRoot, request, tempDir } from './helpers.js';

const rootTest = isRoot ? test : test.skip;

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
  const executor = new LocalExecutor();
  expect(await executor.guardsReadOnly()).toBe(true);
  const object = stageReadOnly();
  const { req, log } = request(dir, script);
  const r = await executor.runAttempt(req);
  expect(r.state).toBe('succeeded');
  expect(log.out()).toEqual(['append=2', 'create=0', '0']); // still root, just without the override
  expect(log.err().join('\n')).toMatch(/Permission denied/);
  expect(readFileSync(object, 'utf8')).toBe('original\n');
  expect(readFileSync(join(dir, 'new.txt'), 'utf8')).toBe('new\n');
});

rootTest('protectReadOnly: false leaves root its override (the write goes through)', async () => {
  const executor = new LocalExecutor({ protectReadOnly: false });
  expect(await executor.guardsReadOnly()).toBe(false);
  const object = stageReadOnly();
  const { req, log } = request(dir, script);
  await executor.runAttempt(req);
  expect(log.out()).toEqual(['append=0', 'create=0', '0']);
  expect(readFileSync(object, 'utf8')).toBe('original\nx\n');
});

(isRoot ? test.skip : test)('not root: the guard is not used and mode bits protect the file anyway', async () => {
  const executor = new LocalExecutor();
  expect(await executor.guardsReadOnly()).toBe(false);
  const object = stageReadOnly();
  const { req, log } = request(dir, script);
  await executor.runAttempt(req);
  expect(log.out()[0]).not.toBe('append=0');
  expect(readFileSync(object, 'utf8')).toBe('original\n');
});
