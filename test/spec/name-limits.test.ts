/**
 * Names and output paths that cannot be path segments on common file systems are rejected by
 * `validate` (and so by `run`, before anything is recorded) with file:line:col and a hint; a
 * path that still turns out too long at run time fails its task alone, with a clear reason.
 */
import { execa } from 'execa';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const dirs: string[] = [];
async function project(flow: string): Promise<string> {
  const dir = await makeProject({ 'flow.yaml': flow });
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  // rm(1): one test makes a tree deeper than PATH_MAX, which Node's rm cannot remove
  await Promise.all(dirs.map((d) => execa('rm', ['-rf', d])));
});

const long = (c: string, n: number) => c.repeat(n);
const HINT = 'hint: flowctl uses the name as a folder name in the store, and common file systems allow at most 255 bytes per name; choose a shorter name';

async function expectNothingRecorded(dir: string): Promise<void> {
  await expect(readdir(path.join(dir, '.flowctl/flows'))).rejects.toMatchObject({ code: 'ENOENT' });
}

test('a 300-character step name fails validate and run (exit 2, file:line:col, hint), before anything runs', async () => {
  const dir = await project(`version: 1\nname: longstep\nsteps:\n  ${long('a', 300)}:\n    run: echo hi\n`);
  const v = await flowctl(['validate', 'flow.yaml'], { cwd: dir });
  expect(v.exitCode).toBe(2);
  expect(v.stderr).toContain(`flow.yaml:4:3: step name '${long('a', 40)}…' must be at most 200 characters long, not 300\n  ${HINT}`);
  const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain('flow.yaml:4:3: step name');
  expect(r.stderr).not.toMatch(/ENAMETOOLONG|\n\s+at /);
  await expectNothingRecorded(dir);
});

test('a 300-character flow name fails validate at the name', async () => {
  const dir = await project(`version: 1\nname: ${long('f', 300)}\nsteps:\n  s:\n    run: echo hi\n`);
  const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain(`flow.yaml:2:7: flow name '${long('f', 40)}…' must be at most 200 characters long, not 300\n  ${HINT}`);
  expect(r.stderr).not.toMatch(/ENAMETOOLONG|\n\s+at /);
});

test('names that are fine alone but too long once qualified (group.inner) fail at the inner step', async () => {
  const g = long('g', 150);
  const i = long('i', 150);
  const dir = await project(`version: 1\nname: nested\nsteps:\n  ${g}:\n    steps:\n      ${i}:\n        run: echo hi\n`);
  const r = await flowctl(['validate', 'flow.yaml'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/^flow\.yaml:6:7: step 'g{40}…i{15}' has a qualified name \(its groups' names and its own, joined by '\.'\) of 301 characters; at most 200 are allowed\n {2}hint: .*choose a shorter name for the step or its groups$/m);
});

test('an output path segment over 255 bytes, or a whole output path over 1024 bytes, fails validate at that output', async () => {
  const deep = Array.from({ length: 400 }, () => 'dd').join('/');
  const dir = await project(`version: 1\nname: outs\nsteps:\n  s:\n    run: echo hi\n    outputs:\n      - out/${long('é', 130)}.txt\n      - ${deep}\n`);
  const r = await flowctl(['validate', 'flow.yaml'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/^flow\.yaml:7:9: outputs\[0\] of step 's' has a path segment of 264 bytes \('é{40}…é{11}\.txt'\); file systems allow at most 255\n {2}hint: shorten that file or folder name$/m);
  expect(r.stderr).toMatch(/^flow\.yaml:8:9: outputs\[1\] of step 's' is 1199 bytes long; at most 1024 are allowed\n {2}hint: /m);
});

test('a path too long for the file system at run time (a deep tree in a directory output) fails that task alone', async () => {
  const dir = await project(`
version: 1
name: deep
steps:
  deep:
    run: node -e "const fs=require('fs');fs.mkdirSync('d');process.chdir('d');for(let i=0;i<20;i++){fs.mkdirSync('x'.repeat(250));process.chdir('x'.repeat(250))}fs.writeFileSync('f','hi')"
    outputs: [d]
    catch: true
  other:
    run: sleep 1; echo ok > ok.txt
    outputs: [ok.txt]
`);
  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.exitCode).toBe(0);
  const id = runIdFrom(r);
  const s = StoreReader.of(dir);
  const t = await s.task('deep', id, 'deep');
  expect(t).toMatchObject({ state: 'failed', caught: true });
  expect(t.reason).toMatch(/^a file name or path is too long for the file system \(ENAMETOOLONG\) '.{1,130}'; keep each path segment under 255 bytes and whole paths well under 4096$/);
  expect(await s.output('deep', id, 'other', '0', 'ok.txt')).toBe('ok\n');
  // and the run's scratch, deep tree included, is gone
  expect(existsSync(path.join(s.root, 'tmp/tasks', id))).toBe(false);
});
