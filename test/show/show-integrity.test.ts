/**
 * `flowctl show` and the client API never hand out damaged bytes, and `-o` (saveTo) saves an
 * artifact exactly (modes, empty folders, links) or not at all.
 */
import { chmodSync, closeSync, openSync, readSync, writeSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { datastore, namespace, Run } from '../../src/index.js';
import { flowctl, makeProject, runIdFrom, STACK, StoreReader } from './helpers.js';

let cwd: string;
let id: string;
let s: StoreReader;
beforeAll(async () => {
  cwd = await makeProject({
    'flow.yaml': `
version: 1
name: art
steps:
  make:
    run: >-
      echo small > small.txt && head -c 20000000 /dev/zero | tr '\\0' 'z' > big.txt &&
      mkdir -p tree/empty tree/sub && echo A > tree/sub/a.txt && printf '#!/bin/sh\\necho hi\\n' > tree/run.sh &&
      chmod 755 tree/run.sh && ln -s sub/a.txt tree/latest && ln -s sub tree/alias && echo B > tree/b.txt
    outputs: [small.txt, big.txt, tree]
`,
  });
  const r = await flowctl(['run', 'flow.yaml'], { cwd });
  expect(r.exitCode).toBe(0);
  id = runIdFrom(r);
  s = StoreReader.of(cwd);
});
afterAll(async () => {
  namespace(null);
  datastore(null);
  await rm(cwd, { recursive: true, force: true });
});

async function objectOf(rel: string): Promise<string> {
  const task = await s.task('art', id, 'make');
  const direct = task.outputs.find((o: { path: string }) => o.path === rel);
  if (direct) return s.objectPath(direct.hash);
  const tree = task.outputs.find((o: { path: string }) => o.path === 'tree');
  const manifest = JSON.parse(await readFile(s.objectPath(tree.hash), 'utf8'));
  return s.objectPath(manifest.find((e: { path: string }) => `tree/${e.path}` === rel).hash);
}

function flipByte(file: string, at = 0): void {
  chmodSync(file, 0o644);
  const fd = openSync(file, 'r+');
  const b = Buffer.alloc(1);
  readSync(fd, b, 0, 1, at);
  b[0] ^= 0x01;
  writeSync(fd, b, 0, 1, at);
  closeSync(fd);
  chmodSync(file, 0o444);
}

describe('-o saves an exact copy', () => {
  test('of a directory: modes, empty folders and links as stored', async () => {
    const dest = path.join(cwd, 'saved', 'tree');
    const r = await flowctl(['show', `${id}/make/0/tree`, '-o', dest], { cwd });
    expect(r.exitCode).toBe(0);
    expect((await readdir(dest)).sort()).toEqual(['alias', 'b.txt', 'empty', 'latest', 'run.sh', 'sub']);
    expect(await readdir(path.join(dest, 'empty'))).toEqual([]);
    expect(await readlink(path.join(dest, 'latest'))).toBe('sub/a.txt');
    expect(await readlink(path.join(dest, 'alias'))).toBe('sub');
    expect(await readFile(path.join(dest, 'alias', 'a.txt'), 'utf8')).toBe('A\n');
    expect((await stat(path.join(dest, 'run.sh'))).mode & 0o111).not.toBe(0);
    expect((await stat(path.join(dest, 'b.txt'))).mode & 0o111).toBe(0);
    // Nothing of the build left beside it.
    expect(await readdir(path.dirname(dest))).toEqual(['tree']);
    // --force replaces the directory whole (not merged into).
    await writeFile(path.join(dest, 'stray.txt'), 'x');
    expect((await flowctl(['show', `${id}/make/0/tree`, '-o', dest, '--force'], { cwd })).exitCode).toBe(0);
    expect((await readdir(dest)).sort()).toEqual(['alias', 'b.txt', 'empty', 'latest', 'run.sh', 'sub']);
  });

  test('of a link inside a directory output: what it points at', async () => {
    const r = await flowctl(['show', `${id}/make/0/tree/alias/a.txt`], { cwd });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'A' });
    expect((await flowctl(['show', `${id}/make/0/tree/latest`], { cwd })).stdout).toBe('A');
  });
});

describe('damaged objects', () => {
  // Each test damages a different object, so their order does not matter.
  test('show of a damaged artifact prints nothing of it and names the object', async () => {
    const obj = await objectOf('small.txt');
    flipByte(obj);
    const r = await flowctl(['show', `${id}/make/0/small.txt`], { cwd });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`Object objects/sha256/.*/${path.basename(obj)} is corrupt.*\\(art\\/${id.replace(/\./g, '\\.')}\\/make\\/0\\/small\\.txt\\)`));
    expect(r.stderr).toMatch(/quarantine/);
    expect(r.stderr).not.toMatch(STACK);
  });

  test('a big damaged artifact (streamed) is refused before its first byte too', async () => {
    flipByte(await objectOf('big.txt'), 19_000_000);
    const r = await flowctl(['show', `${id}/make/0/big.txt`], { cwd });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/is corrupt/);
  });

  test('a failed -o leaves nothing behind: no folder, no partial file, no parent it created', async () => {
    flipByte(await objectOf('tree/b.txt'));
    const parent = path.join(cwd, 'out', 'new');
    const r = await flowctl(['show', `${id}/make/0/tree`, '-o', path.join(parent, 'tree')], { cwd });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/is corrupt|is missing/);
    await expect(lstat(path.join(cwd, 'out'))).rejects.toMatchObject({ code: 'ENOENT' });
    // Into an existing folder: it stays as it was.
    await mkdir(path.join(cwd, 'keep'));
    const again = await flowctl(['show', `${id}/make/0/tree`, '-o', path.join(cwd, 'keep', 'tree')], { cwd });
    expect(again.exitCode).toBe(1);
    expect(await readdir(path.join(cwd, 'keep'))).toEqual([]);
  });

  test('the client API: text(), stream() and saveTo() refuse damaged content the same way', async () => {
    namespace(null);
    datastore(path.join(cwd, '.flowctl'));
    const obj = await objectOf('tree/sub/a.txt');
    flipByte(obj);
    const art = (await Run.get(id)).step('make').task(0).artifact('tree/sub/a.txt');
    await expect(art.text()).rejects.toMatchObject({ code: 'STORE_CORRUPT' });
    const chunks: Buffer[] = [];
    await expect((async () => {
      for await (const c of art.stream()) chunks.push(c as Buffer);
    })()).rejects.toMatchObject({ code: expect.stringMatching(/STORE_CORRUPT|STORE_MISSING_OBJECT/) });
    expect(chunks).toEqual([]);
    const dest = path.join(cwd, 'api-save.txt');
    await expect(art.saveTo(dest)).rejects.toMatchObject({ code: expect.stringMatching(/STORE_CORRUPT|STORE_MISSING_OBJECT/) });
    await expect(lstat(dest)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
