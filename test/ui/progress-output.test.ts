/**
 * Progress output that cannot be written (the reader of the pipe went away, a read-only or
 * full descriptor) never stops or corrupts a run: it completes, its records are right and the
 * exit code is the run's; the reporters just stop writing. The real CLI, through a real shell.
 */
import { execa } from 'execa';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { BIN, flowctl, makeProject, StoreReader } from '../helpers/cli.js';

const FLOW = `
version: 1
name: chatty
steps:
  talk:
    run: for i in $(seq 1 40); do echo "line $i"; echo "err $i" >&2; sleep 0.02; done; echo done > talk.txt
    outputs: [talk.txt]
  after:
    needs: [talk]
    run: cat talk.txt > after.txt; echo finished
    outputs: [after.txt]
`;

const FAILING = `
version: 1
name: failing
steps:
  bad:
    run: for i in $(seq 1 20); do echo "oops $i" >&2; done; exit 3
  good:
    run: sleep 0.5; echo fine > good.txt
    outputs: [good.txt]
`;

const dirs: string[] = [];
async function project(flow = FLOW): Promise<string> {
  const dir = await makeProject({ 'flow.yaml': flow });
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** Runs `shell` with bash in `dir`; `$FLOWCTL` is the CLI. Returns what it wrote to stdout. */
async function sh(dir: string, shell: string): Promise<string> {
  const r = await execa('bash', ['-c', shell], { cwd: dir, env: { FLOWCTL_USER: 'tester', FLOWCTL: `node ${BIN}` }, reject: false });
  if (r.exitCode !== 0) throw new Error(`shell failed (${r.exitCode}): ${r.stderr}`);
  return String(r.stdout);
}

/** The only run in the store (its id comes from the store, since stdout may be gone). */
async function onlyRun(dir: string, flow: string): Promise<{ id: string; run: any }> {
  const ids = await readdir(path.join(dir, '.flowctl/runs'));
  expect(ids).toHaveLength(1);
  return { id: ids[0]!, run: await StoreReader.of(dir).run(flow, ids[0]!) };
}

async function expectChattyDone(dir: string): Promise<void> {
  const { id, run } = await onlyRun(dir, 'chatty');
  expect(run).toMatchObject({ state: 'succeeded', taskCounts: { succeeded: 2 } });
  const s = StoreReader.of(dir);
  expect(await s.output('chatty', id, 'after', '0', 'after.txt')).toBe('done\n');
  expect(await s.log('chatty', id, 'talk', '0')).toMatch(/^line 1\n[\s\S]*line 40\n$/);
  // events.ndjson is complete: nothing stopped with the progress output
  const events = (await readFile(path.join(s.root, `flows/chatty/runs/${id}/events.ndjson`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  expect(events.at(-1)).toMatchObject({ type: 'run-finished', state: 'succeeded' });
}

test('plain: `run f.yaml 2>&1 >out | head -1` completes the run and exits 0', async () => {
  const dir = await project();
  const first = await sh(dir, '$FLOWCTL run flow.yaml --output plain --stream-logs 2>&1 >out | head -1; echo "rc=${PIPESTATUS[0]}"');
  expect(first).toMatch(/^run \S+ of flow chatty started .*\nrc=0\n?$/);
  await expectChattyDone(dir);
  expect((await readFile(path.join(dir, 'out'), 'utf8')).trim()).toBe((await onlyRun(dir, 'chatty')).id);
});

test('live view on a pipe that closes: the view stops, the run completes and exits 0', async () => {
  const dir = await project();
  const out = await sh(dir, '$FLOWCTL run flow.yaml --output live 2>&1 >out | head -c 20 >/dev/null; echo "rc=${PIPESTATUS[0]}"');
  expect(out.trim()).toBe('rc=0');
  await expectChattyDone(dir);
});

test('json: `run f.yaml --output json | head -1` (stdout closed) completes the run and exits 0', async () => {
  const dir = await project();
  const out = await sh(dir, '$FLOWCTL run flow.yaml --output json | head -1; echo "rc=${PIPESTATUS[0]}"');
  const [first, rc] = out.trim().split('\n');
  expect(JSON.parse(first!)).toMatchObject({ type: 'run-started', flow: 'chatty' });
  expect(rc).toBe('rc=0');
  await expectChattyDone(dir);

  // stdout on a full disk (ENOSPC): events are dropped, the run is not
  const full = await project();
  expect(await sh(full, '$FLOWCTL run flow.yaml --output json >/dev/full; echo "rc=$?"')).toBe('rc=0');
  await expectChattyDone(full);
});

test('quiet: a failed run whose error lines cannot be written still exits 1 with the right records', async () => {
  const dir = await project(FAILING);
  const out = await sh(dir, '$FLOWCTL run flow.yaml -q 2>&1 >out | true; echo "rc=${PIPESTATUS[0]}"');
  expect(out.trim()).toBe('rc=1');
  const { id, run } = await onlyRun(dir, 'failing');
  expect(run).toMatchObject({ state: 'failed' });
  const s = StoreReader.of(dir);
  expect(await s.task('failing', id, 'bad')).toMatchObject({ state: 'failed', reason: 'exit code 3' });
  expect(await s.task('failing', id, 'good')).toMatchObject({ state: 'succeeded' });
});

test('stderr on a full disk (/dev/full) or read-only (EBADF): the run completes, stdout still has the id', async () => {
  const full = await project();
  const id1 = await sh(full, '$FLOWCTL run flow.yaml --output plain --stream-logs 2>/dev/full');
  await expectChattyDone(full);
  expect(id1.trim()).toBe((await onlyRun(full, 'chatty')).id);

  const readOnly = await project();
  const id2 = await sh(readOnly, '$FLOWCTL run flow.yaml --output plain --stream-logs 2</dev/null');
  await expectChattyDone(readOnly);
  expect(id2.trim()).toBe((await onlyRun(readOnly, 'chatty')).id);
});

test('--run-id-file that cannot be written fails the command before anything runs (exit 2)', async () => {
  const dir = await project();
  const r = await flowctl(['run', 'flow.yaml', '--run-id-file', 'no/such/dir/id.txt'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toBe('error: cannot write --run-id-file no/such/dir/id.txt: its folder does not exist\n  hint: pass a path in an existing, writable folder; nothing was run');
  await expect(readdir(path.join(dir, '.flowctl/runs'))).rejects.toMatchObject({ code: 'ENOENT' });

  const isDir = await flowctl(['run', 'flow.yaml', '--run-id-file', '.'], { cwd: dir });
  expect(isDir.exitCode).toBe(2);
  expect(isDir.stderr).toMatch(/^error: cannot write --run-id-file \.: it is a directory/);

  const ok = await flowctl(['run', 'flow.yaml', '--run-id-file', 'id.txt'], { cwd: dir });
  expect(ok.exitCode).toBe(0);
  expect(await readFile(path.join(dir, 'id.txt'), 'utf8')).toBe(`${ok.stdout}\n`);
});
