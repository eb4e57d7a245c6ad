/**
 * Damaged bytes are never handed on (DESIGN §4), seen from `flowctl run`: an object damaged on
 * disk is not reused or staged, re-producing it replaces the damaged copy, and a task that
 * would have been given it fails naming the object.
 */
import { closeSync, openSync, readdirSync, readSync, writeSync, chmodSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { sha256 } from '../../src/store/hash.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** One flipped byte, written in place (as a stray process or a failing disk controller would). */
function flipByte(file: string, at = 0): void {
  chmodSync(file, 0o644);
  const fd = openSync(file, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] ^= 0x20;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
  chmodSync(file, 0o444);
}

const yaml = `
version: 1
name: dmg
steps:
  make: { run: echo the right bytes > data.txt, outputs: [data.txt] }
  use:
    needs: [make]
    run: cat data.txt > seen.txt
    outputs: [seen.txt]
`;

async function project(): Promise<{ dir: string; s: StoreReader }> {
  const dir = await makeProject({ 'flow.yaml': yaml });
  dirs.push(dir);
  return { dir, s: StoreReader.of(dir) };
}

test('an object damaged on disk is not reused: its producer runs again and downstream reads the right bytes', async () => {
  const { dir, s } = await project();
  const first = await flowctl(['run', 'flow.yaml'], { cwd: dir });
  expect(first.exitCode).toBe(0);
  const hash = (await s.task('dmg', runIdFrom(first), 'make')).outputs[0].hash;
  flipByte(s.objectPath(hash), 4);
  const second = await flowctl(['run', 'flow.yaml'], { cwd: dir });
  expect(second.exitCode).toBe(0);
  const id = runIdFrom(second);
  expect((await s.task('dmg', id, 'make')).state).toBe('succeeded'); // not `cached` from the damaged copy
  expect(await s.output('dmg', id, 'use', '0', 'seen.txt')).toBe('the right bytes\n');
  expect(await readFile(s.objectPath(hash), 'utf8')).toBe('the right bytes\n');
  expect(readdirSync(path.join(s.root, 'quarantine'))).toHaveLength(1);
});

test('a --no-cache run that re-produces the bytes replaces the damaged copy', async () => {
  const { dir, s } = await project();
  const first = await flowctl(['run', 'flow.yaml'], { cwd: dir });
  const hash = (await s.task('dmg', runIdFrom(first), 'make')).outputs[0].hash;
  flipByte(s.objectPath(hash), 1);
  const again = await flowctl(['run', 'flow.yaml', '--no-cache'], { cwd: dir });
  expect(again.exitCode).toBe(0);
  expect(await readFile(s.objectPath(hash), 'utf8')).toBe('the right bytes\n');
  expect(await s.output('dmg', runIdFrom(again), 'use', '0', 'seen.txt')).toBe('the right bytes\n');
});

test('an object damaged between its producer and a consumer is not staged: the consumer fails naming it', async () => {
  const content = 'the right bytes\n';
  const hash = sha256(content);
  const dir = await makeProject({
    'flow.yaml': `
version: 1
name: dmg
steps:
  make: { run: printf 'the right bytes\\n' > data.txt, outputs: [data.txt] }
  vandal:
    # Not a consumer of make (nothing staged): damages the store's object directly, as a stray process would.
    env: { OBJ: ${JSON.stringify(`objects/sha256/${hash.slice(0, 2)}/${hash}`)} }
    run: >-
      store="$FLOW_TASK_DIR/../../../../.."; until [ -f "$store/$OBJ" ]; do sleep 0.1; done;
      chmod u+w "$store/$OBJ" && printf X | dd of="$store/$OBJ" conv=notrunc 2>/dev/null
  use:
    needs: [make, vandal]
    run: cat data.txt > seen.txt
    outputs: [seen.txt]
`,
  });
  dirs.push(dir);
  const r = await flowctl(['run', 'flow.yaml', '--max-workers', '2'], { cwd: dir });
  expect(r.exitCode).toBe(1);
  const use = await StoreReader.of(dir).task('dmg', runIdFrom(r), 'use');
  expect(use.state).toBe('failed');
  expect(use.reason).toMatch(new RegExp(`Object objects/sha256/${hash.slice(0, 2)}/${hash} is corrupt`));
  expect(use.outputs).toEqual([]);
});
