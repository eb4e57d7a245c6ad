/**
 * `flowctl fsck` on a real local store written by real runs: it finds a flipped byte, a missing
 * object, a truncated record and a dangling cache entry (one line each, exit 1), changes nothing
 * without --repair, and with it quarantines and drops so that the next run produces the damaged
 * outputs again and fsck is clean. Bad flags and a missing store are usage errors (exit 2).
 */
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { removeDir } from '../helpers/tmp.js';

const FLOW = `version: 1
name: fs
steps:
  make:
    run: echo made >> "$RAN_LOG"; mkdir -p out/sub && echo a > out/a.txt && echo b > out/sub/b.txt && echo one > one.txt
    outputs: [out, one.txt]
    deps: []
  use:
    needs: [make]
    run: echo used >> "$RAN_LOG"; cat one.txt out/a.txt > two.txt
    outputs: [two.txt]
    deps: []
`;

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await removeDir(d);
});

async function project(): Promise<{ cwd: string; s: StoreReader; env: Record<string, string>; runId: string; ran: () => Promise<string[]> }> {
  const cwd = await makeProject({ 'flow.yaml': FLOW, '.flowctlignore': 'ran.log\n' });
  dirs.push(cwd);
  const log = path.join(cwd, 'ran.log');
  const env = { RAN_LOG: log };
  const r = await flowctl(['run', 'flow.yaml'], { cwd, env });
  expect(r.exitCode).toBe(0);
  const ran = async () => {
    const text = await readFile(log, 'utf8').catch(() => '');
    await writeFile(log, '');
    return text.split('\n').filter(Boolean);
  };
  await ran();
  return { cwd, s: StoreReader.of(cwd), env, runId: runIdFrom(r), ran };
}

/** Every file of the store with its bytes, mode and mtime (fsck without --repair must leave all of them). */
async function storeState(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const p = path.join(dir, name);
      const st = await lstat(p);
      if (st.isDirectory()) await walk(p);
      else out[path.relative(root, p)] = `${st.mode} ${st.mtimeMs} ${(await readFile(p)).toString('base64')}`;
    }
  };
  await walk(root);
  return out;
}

async function cacheEntryFiles(root: string): Promise<string[]> {
  const dir = path.join(root, 'cache/tasks');
  const out: string[] = [];
  for (const sub of await readdir(dir).catch(() => [] as string[])) for (const f of await readdir(path.join(dir, sub))) out.push(`${sub}/${f}`);
  return out.sort();
}

async function overwrite(file: string, text: string): Promise<void> {
  await chmod(file, 0o644);
  await writeFile(file, text);
}

test('a clean store: exit 0, one summary, and the --json shape', async () => {
  const { cwd } = await project();
  const r = await flowctl(['fsck'], { cwd });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toMatch(/^fsck \S+\.flowctl: no problems\nchecked \d+ objects \(.*\), \d+ records, \d+ references, 2 cache entries in [\d.]+ s$/);

  const j = await flowctl(['fsck', '--json'], { cwd });
  expect(j.exitCode).toBe(0);
  const body = JSON.parse(j.stdout);
  expect(Object.keys(body).sort()).toEqual(['cacheEntries', 'objects', 'ok', 'problems', 'problemsOmitted', 'records', 'references', 'repair', 'repaired', 'seconds', 'store']);
  expect(body).toMatchObject({
    store: path.join(cwd, '.flowctl'), ok: true, repair: false, problems: [], problemsOmitted: 0,
    objects: { damaged: 0, missing: 0 }, records: { damaged: 0, missing: 0 }, cacheEntries: { checked: 2, dangling: 0 },
    repaired: { objectsQuarantined: 0, cacheEntriesDropped: 0, codeSnapshotsDropped: 0 },
  });
  // make's outputs: one.txt, the dir manifest and its 2 files; use's two.txt; the code snapshot's files (flow.yaml, .flowctlignore).
  expect(body.objects.checked).toBeGreaterThanOrEqual(7);
  expect(body.records.checked).toBeGreaterThanOrEqual(8);
}, 60_000);

test('finds a flipped byte, a missing object, a truncated record and a dangling cache entry; changes nothing', async () => {
  const { cwd, s, runId } = await project();
  const make = await s.task('fs', runId, 'make');
  const one = make.outputs.find((o: any) => o.path === 'one.txt');
  const out = make.outputs.find((o: any) => o.path === 'out');
  const manifest = JSON.parse(await readFile(s.objectPath(out.hash), 'utf8'));
  const b = manifest.find((e: any) => e.path === 'sub/b.txt');
  // A flipped byte in a file output, a file of a directory output gone, a truncated attempt record.
  await overwrite(s.objectPath(one.hash), 'onf\n');
  await unlink(s.objectPath(b.hash));
  const attempt = `flows/fs/runs/${runId}/steps/use/tasks/0/attempts/1/attempt.json`;
  const text = await readFile(path.join(s.root, attempt), 'utf8');
  await writeFile(path.join(s.root, attempt), text.slice(0, text.length >> 1));
  // A cache entry pointing at a task that does not exist.
  const dangling = `cache/tasks/ee/${'e'.repeat(64)}.json`;
  await mkdir(path.dirname(path.join(s.root, dangling)), { recursive: true });
  await writeFile(path.join(s.root, dangling), JSON.stringify({ flow: 'fs', runId: '20200101T000000.000Z-aaaaaa', step: 'make', taskId: '0' }));
  // Opened read-only: not even the scratch directory a store normally gets is made again.
  await removeDir(path.join(s.root, 'tmp'));
  const before = await storeState(s.root);

  const r = await flowctl(['fsck'], { cwd });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).toBe('');
  const lines = r.stdout.trimEnd().split('\n');
  const objKey = (h: string) => `objects/sha256/${h.slice(0, 2)}/${h}`;
  expect(lines).toEqual(expect.arrayContaining([
    `damaged object ${objKey(one.hash)}: its content does not match its hash`,
    expect.stringMatching(new RegExp(`^missing object ${objKey(b.hash)}: out/sub/b\\.txt in ${objKey(out.hash)}$`)),
    expect.stringMatching(new RegExp(`^damaged record ${attempt.replace(/\./g, '\\.')}: not valid JSON`)),
    `dangling cache entry ${dangling}: its task fs/20200101T000000.000Z-aaaaaa/make/0 does not exist`,
    // The real entries of make (a damaged output, a missing file) dangle too; use's entry is intact.
    expect.stringMatching(/^dangling cache entry cache\/tasks\/(?!ee\/).*: (output one\.txt|a file of output out\/) of fs\/.*\/make\/0 is (damaged|missing or damaged)$/),
  ]));
  expect(lines.filter((l) => l.startsWith('dangling cache entry'))).toHaveLength(2);
  expect(lines.at(-3)).toMatch(/^fsck .*: 5 problems \(1 damaged object, 1 missing object, 1 damaged record, 2 dangling cache entries\)$/);
  expect(lines.at(-1)).toMatch(/--repair/);
  expect(await storeState(s.root)).toEqual(before);
  expect(existsSync(path.join(s.root, 'tmp'))).toBe(false);

  const j = await flowctl(['fsck', '--json'], { cwd });
  expect(j.exitCode).toBe(1);
  const body = JSON.parse(j.stdout);
  expect(body).toMatchObject({ ok: false, objects: { damaged: 1, missing: 1 }, records: { damaged: 1, missing: 0 }, cacheEntries: { checked: 3, dangling: 2 } });
  expect(body.problems).toEqual(expect.arrayContaining([
    // Found by the re-hash; the first reference met names where it is used.
    {
      kind: 'damaged-object', key: objKey(one.hash), hash: one.hash, message: expect.any(String),
      // make's task or attempt record, or use's attempt spec (its input): records are read concurrently.
      referencedBy: expect.stringMatching(new RegExp(`^flows/fs/runs/${runId}/steps/(make|use)/tasks/0/`)), path: 'one.txt', references: expect.any(Number),
    },
    {
      kind: 'missing-object', key: objKey(b.hash), hash: b.hash, referencedBy: objKey(out.hash), path: 'out/sub/b.txt', references: expect.any(Number),
      message: expect.any(String),
    },
    { kind: 'damaged-record', key: attempt, message: expect.stringContaining(attempt) },
    { kind: 'dangling-cache-entry', key: dangling, message: expect.stringContaining('does not exist') },
  ]));
  expect(await storeState(s.root)).toEqual(before);
}, 60_000);

test('--repair quarantines damaged objects and drops dangling cache entries; the next run produces them again and fsck is clean', async () => {
  const { cwd, s, env, runId, ran } = await project();
  const make = await s.task('fs', runId, 'make');
  const one = make.outputs.find((o: any) => o.path === 'one.txt');
  await overwrite(s.objectPath(one.hash), 'onf\n');
  const entries = await cacheEntryFiles(s.root);
  expect(entries).toHaveLength(2);

  const r = await flowctl(['fsck', '--repair'], { cwd });
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toMatch(/^damaged object .*: its content does not match its hash \[quarantined\]$/m);
  expect(r.stdout).toMatch(/^dangling cache entry .*make\/0 is damaged \[dropped\]$/m);
  expect(r.stdout).toMatch(/^repaired: quarantined 1 object, dropped 1 cache entry and 0 code snapshots; records are never changed$/m);
  expect(existsSync(s.objectPath(one.hash))).toBe(false);
  expect((await readdir(path.join(s.root, 'quarantine'))).some((n) => n.startsWith(one.hash))).toBe(true);
  expect(await cacheEntryFiles(s.root)).toHaveLength(1);

  // make runs again (its entry is gone); use's inputs come out the same, so its entry still serves.
  const again = await flowctl(['run', 'flow.yaml'], { cwd, env });
  expect(again.exitCode).toBe(0);
  expect(await ran()).toEqual(['made']);
  const id = runIdFrom(again);
  expect((await s.task('fs', id, 'make')).state).toBe('succeeded');
  expect((await s.task('fs', id, 'use')).state).toBe('cached');
  expect(await readFile(s.objectPath(one.hash), 'utf8')).toBe('one\n');

  const clean = await flowctl(['fsck'], { cwd });
  expect(clean.stdout).toMatch(/no problems/);
  expect(clean.exitCode).toBe(0);
}, 90_000);

test('records of the wrong shape deep inside (an attempt\'s outputs, a spec\'s inputs, the runs index, an events line) are damaged records, never a crash; tag edits of no run are a missing record', async () => {
  const { cwd, s, runId } = await project();
  const base = `flows/fs/runs/${runId}/steps/use/tasks/0/attempts/1`;
  const attempt = await s.json(`${base}/attempt.json`);
  await writeFile(path.join(s.root, `${base}/attempt.json`), JSON.stringify({ ...attempt, outputs: [{ path: 'two.txt', type: 'file', hash: 'nothex' }] }));
  // Local attempts store no spec (remote ones do): one whose inputs are not entries.
  const spec = { flow: 'fs', runId, step: 'use', taskId: '0', attempt: 1, inputs: [null, { path: 'x', entry: 7 }] };
  await writeFile(path.join(s.root, `${base}/spec.json`), JSON.stringify(spec));
  await writeFile(path.join(s.root, `runs/${runId}`), '../../etc\n');
  await writeFile(path.join(s.root, `flows/fs/runs/${runId}/events.ndjson`), '{"type":"x"}\n{"type":\n{}\n', { flag: 'a' });
  const ghost = '20200101T000000.000Z-bbbbbb';
  await mkdir(path.join(s.root, 'flows/fs/tags'), { recursive: true });
  await writeFile(path.join(s.root, `flows/fs/tags/${ghost}.json`), JSON.stringify({ formatVersion: 1, added: ['a'], removed: [], updatedAt: '' }));
  const r = await flowctl(['fsck'], { cwd });
  expect(r.stderr).toBe('');
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toMatch(new RegExp(`^damaged record ${base}/attempt\\.json: an output entry is not .*nothex`, 'm'));
  expect(r.stdout).toMatch(new RegExp(`^damaged record ${base}/spec\\.json: an output entry is not`, 'm'));
  expect(r.stdout).toMatch(new RegExp(`^damaged record runs/${runId}: "\\.\\./\\.\\./etc\\\\n" is not a flow name$`, 'm'));
  expect(r.stdout).toMatch(new RegExp(`^damaged record flows/fs/runs/${runId}/events\\.ndjson: line \\d+ is not valid JSON$`, 'm'));
  expect(r.stdout).toContain(`missing record flows/fs/runs/${ghost}/run.json: named by the tag edits flows/fs/tags/${ghost}.json`);
}, 60_000);

test('a code snapshot with a file gone: --repair drops it, and the next run stores the code again whole', async () => {
  const { cwd, s, env, runId } = await project();
  const run = await s.run('fs', runId);
  const code = await s.json(`code/${run.codeHash}`);
  const flowFile = code.files.find((f: any) => f.path === 'flow.yaml');
  await unlink(s.objectPath(flowFile.hash));
  const r = await flowctl(['fsck', '--repair'], { cwd });
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toContain(`missing object objects/sha256/${flowFile.hash.slice(0, 2)}/${flowFile.hash}: flow.yaml in code/${run.codeHash}`);
  expect(r.stdout).toMatch(/^repaired: quarantined 0 objects, dropped 0 cache entries and 1 code snapshot;/m);
  expect(existsSync(path.join(s.root, `code/${run.codeHash}`))).toBe(false);
  expect((await flowctl(['run', 'flow.yaml'], { cwd, env })).exitCode).toBe(0);
  const clean = await flowctl(['fsck'], { cwd });
  expect(clean.stdout).toMatch(/no problems/);
  expect(clean.exitCode).toBe(0);
}, 90_000);

test('usage: a bad flag and a missing store exit 2 with a message and no stack', async () => {
  const cwd = await makeProject({});
  dirs.push(cwd);
  for (const [args, message] of [[['fsck', '--bogus'], /--bogus/], [['fsck'], /No \.flowctl\/ directory/], [['fsck', '--datastore', 'nowhere'], /No store at/]] as const) {
    const r = await flowctl([...args], { cwd });
    expect({ args, code: r.exitCode, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  }
  expect(existsSync(path.join(cwd, 'nowhere'))).toBe(false);
}, 30_000);
