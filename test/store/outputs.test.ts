import { execFileSync } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, readlink, stat, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { keys } from '../../src/store/records.js';
import { tempStore } from './helpers.js';

let t: Awaited<ReturnType<typeof tempStore>>;
let task: string;
beforeEach(async () => {
  t = await tempStore();
  task = join(t.backend.objects.scratchDir(), 'task-1');
  await mkdir(task);
});
afterEach(async () => {
  await t.cleanup();
});

async function tree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const ent of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix + ent.name;
    if (ent.isDirectory()) {
      out[`${rel}/`] = '';
      Object.assign(out, await tree(join(dir, ent.name), `${rel}/`));
    } else if (ent.isSymbolicLink()) out[rel] = `-> ${await readlink(join(dir, ent.name))}`;
    else out[rel] = await readFile(join(dir, ent.name), 'utf8');
  }
  return out;
}

test('a file output is moved in and staged as a read-only hardlink of the object', async () => {
  await writeFile(join(task, 'model.json'), '{"w":[1,2]}');
  const ino = (await stat(join(task, 'model.json'))).ino;
  const entry = await t.store.putOutput(task, './model.json', { move: true });
  expect(entry).toEqual({ path: 'model.json', type: 'file', hash: expect.any(String), size: 11 });
  const objIno = (await stat(join(t.backend.objects.location, keys.object(entry.hash)))).ino;
  expect(objIno).toBe(ino);

  const dest = join(t.dir, 'next-task', 'model.json');
  await t.store.stageOutput(entry, dest);
  const st = await stat(dest);
  expect(st.ino).toBe(ino);
  expect(st.mode & 0o777).toBe(0o444);
  expect(await readFile(dest, 'utf8')).toBe('{"w":[1,2]}');
});

test('a staged input cannot be written by an unprivileged task', async () => {
  await writeFile(join(task, 'a.txt'), 'input');
  const entry = await t.store.putOutput(task, 'a.txt', { move: false });
  const dest = join(t.dir, 'stage', 'a.txt');
  await t.store.stageOutput(entry, dest);
  await chmod(t.dir, 0o755);
  if (process.getuid?.() !== 0) return; // the mode check above is the whole story without root
  // Tasks run without root's override (setpriv); prove the object cannot be changed that way.
  const asNobody = ['--reuid=65534', '--regid=65534', '--clear-groups', 'sh', '-c'];
  expect(execFileSync('setpriv', [...asNobody, `cat ${dest}`], { encoding: 'utf8' })).toBe('input'); // reachable...
  expect(() => execFileSync('setpriv', [...asNobody, `echo x >> ${dest}`], { stdio: 'pipe' })).toThrow(); // ...not writable
  expect(await readFile(dest, 'utf8')).toBe('input');
  // Nor can it add files into a staged directory.
  await mkdir(join(task, 'd'));
  await writeFile(join(task, 'd', 'f'), 'f');
  const dirEntry = await t.store.putOutput(task, 'd', { move: true });
  await t.store.stageOutput(dirEntry, join(t.dir, 'stage', 'd'));
  expect(() => execFileSync('setpriv', [...asNobody, `touch ${join(t.dir, 'stage', 'd', 'new')}`], { stdio: 'pipe' })).toThrow();
});

test('a missing declared output is OUTPUT_MISSING naming the path', async () => {
  await expect(t.store.putOutput(task, 'out/report.json', { move: true })).rejects.toMatchObject({
    code: 'OUTPUT_MISSING',
    message: expect.stringContaining('out/report.json'),
  });
  await expect(t.store.putOutput(task, '../escape', { move: true })).rejects.toMatchObject({ code: 'OUTPUT_PATH' });
});

test('a directory output round-trips through a canonical manifest, files linked, links kept, dirs 0555', async () => {
  const out = join(task, 'model');
  await mkdir(join(out, 'layers', 'deep'), { recursive: true });
  await mkdir(join(out, 'empty'));
  await writeFile(join(out, 'config.json'), '{"a":1}');
  await writeFile(join(out, 'layers', 'l1.bin'), 'L1');
  await writeFile(join(out, 'layers', 'deep', 'l2.bin'), 'L2');
  await writeFile(join(out, 'same-as-l1.bin'), 'L1');
  await writeFile(join(out, 'run.sh'), '#!/bin/sh\necho ok\n');
  await chmod(join(out, 'run.sh'), 0o755);
  await symlink('layers/l1.bin', join(out, 'latest.bin'));
  await symlink('layers', join(out, 'alias'));

  const entry = await t.store.putOutput(task, 'model', { move: true });
  expect(entry).toMatchObject({ path: 'model', type: 'dir' });
  const manifest = await t.store.readDirManifest(entry);
  expect(manifest.map((e) => e.path)).toEqual([
    'alias', 'config.json', 'empty', 'latest.bin', 'layers', 'layers/deep', 'layers/deep/l2.bin', 'layers/l1.bin', 'run.sh', 'same-as-l1.bin',
  ]);
  // Relative links inside the output are kept as links, not copies of what they point at.
  expect(manifest.find((e) => e.path === 'alias')).toEqual({ path: 'alias', type: 'symlink', target: 'layers' });
  expect(manifest.find((e) => e.path === 'latest.bin')).toEqual({ path: 'latest.bin', type: 'symlink', target: 'layers/l1.bin' });
  expect(manifest.find((e) => e.path === 'run.sh')).toMatchObject({ type: 'file', mode: 0o755 });
  expect(manifest.find((e) => e.path === 'config.json')).not.toHaveProperty('mode');
  const files = manifest.filter((e) => e.type === 'file');
  expect(entry.size).toBe(files.reduce((s, e) => s + (e.type === 'file' ? e.size : 0), 0));
  // Canonical: the manifest object's bytes are exactly the sorted compact JSON.
  const raw = (await t.backend.objects.getBytes(entry.hash)).toString();
  expect(raw).toBe(JSON.stringify(JSON.parse(raw)));
  // L1 is stored once although it appears twice.
  const l1 = files.filter((e) => e.type === 'file' && ['layers/l1.bin', 'same-as-l1.bin'].includes(e.path));
  expect(new Set(l1.map((e) => e.type === 'file' && e.hash)).size).toBe(1);

  const listed = await t.store.listOutputFiles(entry);
  expect(listed.map((e) => e.path)).toContain('model/layers/deep/l2.bin');

  const dest = join(t.dir, 'next', 'model');
  await t.store.stageOutput(entry, dest);
  const after = await tree(dest);
  // Links come back as links.
  expect(after).toEqual({
    'alias': '-> layers', 'config.json': '{"a":1}',
    'empty/': '', 'latest.bin': '-> layers/l1.bin', 'layers/': '', 'layers/deep/': '', 'layers/deep/l2.bin': 'L2',
    'layers/l1.bin': 'L1', 'run.sh': '#!/bin/sh\necho ok\n', 'same-as-l1.bin': 'L1',
  });
  expect(await readFile(join(dest, 'latest.bin'), 'utf8')).toBe('L1');
  expect(await readFile(join(dest, 'alias', 'deep', 'l2.bin'), 'utf8')).toBe('L2');
  expect((await stat(join(dest, 'layers', 'l1.bin'))).ino).toBe((await stat(join(dest, 'same-as-l1.bin'))).ino);
  expect((await stat(join(dest, 'config.json'))).mode & 0o777).toBe(0o444);
  expect((await stat(join(dest, 'run.sh'))).mode & 0o777).toBe(0o555);
  for (const d of ['', 'layers', 'layers/deep', 'empty']) expect((await stat(join(dest, d))).mode & 0o777).toBe(0o555);

  // The same tree produced again (elsewhere, copied) has the same manifest hash.
  const again = join(t.dir, 'again');
  await mkdir(again);
  execFileSync('cp', ['-a', dest, join(again, 'model')]);
  execFileSync('chmod', ['-R', 'u+w', again]);
  const entry2 = await t.store.putOutput(again, 'model', { move: false });
  expect(entry2.hash).toBe(entry.hash);
});

test('symlinks out of a directory output are rejected with a clear error', async () => {
  await mkdir(join(task, 'out'));
  await writeFile(join(task, 'outside.txt'), 'x');
  await symlink('../outside.txt', join(task, 'out', 'link.txt'));
  await expect(t.store.putOutput(task, 'out', { move: true })).rejects.toMatchObject({
    code: 'OUTPUT_SYMLINK',
    message: expect.stringContaining('out/link.txt'),
  });
  await symlink('/etc/hostname', join(task, 'abs.txt'));
  await expect(t.store.putOutput(task, 'abs.txt', { move: true })).rejects.toMatchObject({ code: 'OUTPUT_SYMLINK' });
});

test('a link back up inside a directory output is kept as a link; a followed one is reported, not followed forever', async () => {
  await mkdir(join(task, 'out', 'a'), { recursive: true });
  await symlink('..', join(task, 'out', 'a', 'up'));
  const entry = await t.store.putOutput(task, 'out', { move: true });
  expect(await t.store.readDirManifest(entry)).toContainEqual({ path: 'a/up', type: 'symlink', target: '..' });
  // An absolute link is never kept (the task dir is gone tomorrow): it is followed, and a loop is reported.
  await mkdir(join(task, 'out2', 'a'), { recursive: true });
  await symlink(join(task, 'out2'), join(task, 'out2', 'a', 'up'));
  await expect(t.store.putOutput(task, 'out2', { move: true })).rejects.toMatchObject({ code: 'OUTPUT_SYMLINK' });
});

test('an empty directory output round-trips', async () => {
  await mkdir(join(task, 'empty'));
  const entry = await t.store.putOutput(task, 'empty', { move: true });
  expect(entry.size).toBe(0);
  await t.store.stageOutput(entry, join(t.dir, 'staged'));
  expect(await readdir(join(t.dir, 'staged'))).toEqual([]);
});

describe('no output resolves through a symlink out of the task directory', () => {
  let outside: string;
  beforeEach(async () => {
    outside = join(t.dir, 'outside');
    await mkdir(join(outside, 'dir'), { recursive: true });
    await writeFile(join(outside, 'file'), 'precious');
    await writeFile(join(outside, 'dir', 'f'), 'also precious');
  });
  const untouched = async () => {
    expect(await readFile(join(outside, 'file'), 'utf8')).toBe('precious');
    expect(await readFile(join(outside, 'dir', 'f'), 'utf8')).toBe('also precious');
  };
  const refused = async (rel: string, message: RegExp) => {
    await expect(t.store.putOutput(task, rel, { move: true })).rejects.toMatchObject({ code: 'OUTPUT_SYMLINK', message: expect.stringMatching(message) });
    await untouched();
  };

  test('a parent folder that links outside (the file is not moved into the store)', async () => {
    await symlink(outside, join(task, 'sub'));
    await refused('sub/file', /Output sub\/file resolves through a symlink to .*outside\/file, outside the task directory/);
    await refused('sub/dir', /Output sub\/dir resolves through a symlink/);
    await refused('sub/dir/f', /resolves through a symlink/);
  });

  test('a link to a link, a relative link climbing out with .., and a deeper parent', async () => {
    await symlink(outside, join(task, 'hop1'));
    await symlink('hop1', join(task, 'hop2'));
    await refused('hop2/file', /resolves through a symlink/);
    await mkdir(join(task, 'a', 'b'), { recursive: true });
    await symlink(relative(join(task, 'a', 'b'), outside), join(task, 'a', 'b', 'up'));
    await refused('a/b/up/dir', /resolves through a symlink/);
    await symlink(relative(join(task, 'a'), t.dir), join(task, 'a', 'top'));
    await refused('a/top/outside/file', /resolves through a symlink/);
  });

  test('a task directory that is itself a symlink collects nothing', async () => {
    const fake = join(t.backend.objects.scratchDir(), 'fake-task');
    await symlink(outside, fake);
    await expect(t.store.putOutput(fake, 'file', { move: true })).rejects.toMatchObject({
      code: 'OUTPUT_SYMLINK', message: expect.stringMatching(/task directory .* was replaced by a symlink/),
    });
    await untouched();
  });

  test('a link that stays inside is collected as a copy (never moved: it may be another output)', async () => {
    await mkdir(join(task, 'build'));
    await writeFile(join(task, 'build', 'model.bin'), 'M');
    await symlink('build', join(task, 'out'));
    const entry = await t.store.putOutput(task, 'out/model.bin', { move: true });
    expect(await t.backend.objects.getBytes(entry.hash)).toEqual(Buffer.from('M'));
    expect(await readFile(join(task, 'build', 'model.bin'), 'utf8')).toBe('M');
  });
});

test('manifests from a shared store cannot recreate anything outside the destination', async () => {
  const { parseDirManifest } = await import('../../src/store/manifest.js');
  const bad = [
    [{ path: 'l', type: 'symlink', target: '/etc' }],
    [{ path: 'l', type: 'symlink', target: '../x' }],
    [{ path: 'd', type: 'dir' }, { path: 'd/l', type: 'symlink', target: '../../etc/passwd' }],
    // `a -> .` then `a/../x` would leave the root although the path "looks" inside.
    [{ path: 'a', type: 'symlink', target: '.' }, { path: 'x', type: 'file', hash: 'a'.repeat(64), size: 1 }, { path: 'l', type: 'symlink', target: 'a/../x' }],
    // A file "inside" a link: writing it would write through the link.
    [{ path: 'l', type: 'symlink', target: 'd' }, { path: 'd', type: 'dir' }, { path: 'l/f', type: 'file', hash: 'a'.repeat(64), size: 1 }],
    [{ path: 'f', type: 'file', hash: 'a'.repeat(64), size: 1 }, { path: 'f', type: 'dir' }],
  ];
  for (const entries of bad) expect(() => parseDirManifest(JSON.stringify(entries), 'm')).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT' }));
  const good = [{ path: 'd', type: 'dir' }, { path: 'd/f', type: 'file', hash: 'a'.repeat(64), size: 1 }, { path: 'd/up', type: 'symlink', target: '..' }, { path: 'l', type: 'symlink', target: 'd/f' }];
  expect(parseDirManifest(JSON.stringify(good), 'm')).toHaveLength(4);
});
