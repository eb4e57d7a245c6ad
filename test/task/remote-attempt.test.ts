/**
 * Issue 13: `flowctl task` runs an attempt that another process wrote to the store, in a
 * separate process, and leaves the same records as the same attempt run in-process: on a
 * local store and on S3 (s3rver). This is what a container or AWS Batch job runs.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { BIN } from '../helpers/cli.js';
import { LocalProcessRunner } from '../../src/executors/local-process.js';
import { runStoredAttempt } from '../../src/executors/stored-attempt.js';
import { openStore } from '../../src/store/open.js';
import type { AttemptRecord, AttemptSpec } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';
import { makeMasker } from '../../src/task/mask.js';
import { runAttempt } from '../../src/task/run-attempt.js';
import { ScratchPool } from '../../src/task/scratch-pool.js';
import { startS3rver, type TestS3 } from '../s3/s3rver.js';

const SECRET = 'tok-9f8e7d6c5b4a';
let s3: TestS3;
const dirs: string[] = [];

beforeAll(async () => {
  s3 = await startS3rver();
});
afterAll(async () => {
  await s3.stop();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** A project with a script, its code snapshot and one upstream output in the store, and an attempt spec using both. */
async function prepare(store: Store, dir: string): Promise<AttemptSpec> {
  const project = path.join(dir, 'project');
  await mkdir(path.join(project, 'scripts'), { recursive: true });
  await writeFile(path.join(project, 'scripts/work.sh'), [
    'set -e',
    'cat in/data.txt > out.txt',
    'echo "item=$FLOW_ITEM attempt=$FLOW_ATTEMPT" >> out.txt',
    'echo "token has ${#TOKEN} chars"',
    'echo "the token is $TOKEN" >&2',
    'echo "score=0.75" >> "$FLOW_VALUES"',
    '',
  ].join('\n'));
  const code = await store.snapshotCode(project);
  const inputFile = path.join(dir, 'data.txt');
  await writeFile(inputFile, 'upstream bytes\n');
  const info = await store.objects.putFile(inputFile, { move: false });
  return {
    formatVersion: 1, flow: 'remote', runId: '20261130T000000.000Z-remote', step: 'work', taskId: '1', attempt: 1,
    command: 'sh scripts/work.sh', shell: 'sh',
    env: { FLOW_RUN_ID: '20261130T000000.000Z-remote', FLOW_FLOW: 'remote', FLOW_STEP: 'work', FLOW_TASK_ID: '1', FLOW_ATTEMPT: '1', FLOW_ITEM: '"b"', FLOW_ITEM_INDEX: '1' },
    secretEnv: ['TOKEN'], outputs: ['out.txt'], codeHash: code.hash,
    inputs: [{ path: 'in/data.txt', entry: { path: 'data.txt', type: 'file', hash: info.hash, size: info.size } }],
    resources: { cpu: 1, memory: 256, gpu: 0 },
  };
}

/** A record without what differs between two executions of the same attempt. */
function comparable(r: AttemptRecord | undefined): unknown {
  const { startedAt, finishedAt, durationMs, attempt, ...rest } = r ?? ({} as AttemptRecord);
  void startedAt; void finishedAt; void durationMs; void attempt;
  return rest;
}

describe.each(['local', 's3'] as const)('flowctl task on a %s store', (kind) => {
  test('runs the stored attempt in another process with the records of an in-process attempt', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-remote-'));
    dirs.push(dir);
    const env = kind === 's3' ? s3.env(path.join(dir, 'cache')) : {};
    const datastore = kind === 's3' ? `s3://bucket/remote-${process.pid}` : path.join(dir, 'store');
    const store = await openStore({ datastore, cwd: dir, create: true, env: { ...process.env, ...env } });
    const spec = await prepare(store, dir);

    // The orchestrator's side: write the spec (no secret in it), start `flowctl task` elsewhere.
    await store.writeAttemptSpec(spec);
    const stored = await readStoredText(store, spec);
    expect(stored).not.toContain(SECRET);
    const child = await execa('node', [BIN, 'task', '--datastore', datastore, `remote/${spec.runId}/work/1/1`], {
      cwd: os.tmpdir(), reject: false, env: { ...env, TOKEN: SECRET, FLOWCTL_USER: 'tester' },
    });
    expect(child.stderr).toContain('work/1 attempt 1: succeeded');
    expect(child.exitCode).toBe(0);
    const remote = await store.readAttempt('remote', spec.runId, 'work', '1', 1);

    // The same attempt in this process (as attempt 2).
    const scratch = new ScratchPool(store.scratchPath('tasks', 'inproc'));
    const local = await runAttempt({ ...spec, attempt: 2, env: { ...spec.env, FLOW_ATTEMPT: '1' } }, {
      store, runner: new LocalProcessRunner(), scratch, masker: makeMasker([SECRET]), secrets: { TOKEN: SECRET },
    });
    await scratch.settle();

    expect(remote).toMatchObject({ state: 'succeeded', exitCode: 0, executor: 'local', values: { score: 0.75 } });
    expect(comparable(remote)).toEqual(comparable(local));
    const out = remote!.outputs!.find((o) => o.path === 'out.txt')!;
    expect((await store.objects.getBytes(out.hash)).toString()).toBe('upstream bytes\nitem="b" attempt=1\n');
    const text = async (n: number, s: 'stdout' | 'stderr') => store.kv.get(`flows/remote/runs/${spec.runId}/steps/work/tasks/1/attempts/${n}/${s}`);
    expect(await text(1, 'stdout')).toBe(`token has ${SECRET.length} chars\n`);
    expect(await text(1, 'stderr')).toBe('the token is ***\n');
    expect(await text(1, 'stdout')).toBe(await text(2, 'stdout'));
  });

  test('a missing spec or a bad reference exits 2 with a message', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-remote-'));
    dirs.push(dir);
    const env = kind === 's3' ? s3.env(path.join(dir, 'cache')) : {};
    const datastore = kind === 's3' ? `s3://bucket/remote-missing-${process.pid}` : path.join(dir, 'store');
    await openStore({ datastore, cwd: dir, create: true, env: { ...process.env, ...env } });
    const missing = await execa('node', [BIN, 'task', '--datastore', datastore, 'f/r/s/0/1'], { reject: false, env });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/no attempt spec for f\/r\/s\/0\/1/);
    const bad = await execa('node', [BIN, 'task', '--datastore', datastore, 'f/r/s'], { reject: false, env });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/is not FLOW\/RUN_ID\/STEP\/TASK_ID\/ATTEMPT/);
  });
});

test('stored attempts of one run, run side by side on one machine (containers sharing a cache dir, same pid) do not collide', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-remote-'));
  dirs.push(dir);
  const store = await openStore({ datastore: path.join(dir, 'store'), cwd: dir, create: true });
  const spec = await prepare(store, dir);
  const specs = ['1', '2', '3'].map((taskId) => ({ ...spec, taskId, secretEnv: [] }));
  for (const s of specs) await store.writeAttemptSpec(s);
  const recs = await Promise.all(specs.map((s) => runStoredAttempt(store, { flow: s.flow, runId: s.runId, step: s.step, taskId: s.taskId, attempt: 1 }, { env: {} })));
  expect(recs.map((r) => [r.state, r.reason])).toEqual(specs.map(() => ['succeeded', undefined]));
});

test('a stored attempt (a batch job) inherits neither flowctl\'s param and mask channels nor variables holding a secret', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'flowctl-remote-'));
  dirs.push(dir);
  const datastore = path.join(dir, 'store');
  const store = await openStore({ datastore, cwd: dir, create: true });
  const spec = await prepare(store, dir);
  const probe = {
    ...spec, outputs: [], inputs: [],
    command: 'for v in FLOWCTL_PARAM_TOKEN FLOWCTL_MASK_1 HOLDER TOKEN PLAIN; do eval "echo $v=\\${#$v}"; done',
  };
  await store.writeAttemptSpec(probe);
  const child = await execa('node', [BIN, 'task', '--datastore', datastore, `remote/${spec.runId}/work/1/1`], {
    cwd: os.tmpdir(), reject: false,
    env: { TOKEN: SECRET, FLOWCTL_PARAM_TOKEN: SECRET, FLOWCTL_MASK_1: 'whole-secret-abcdef', HOLDER: `x${SECRET}x`, PLAIN: 'abc' },
  });
  expect(child.exitCode).toBe(0);
  const out = await store.readAttemptLog('remote', spec.runId, 'work', '1', 1, 'stdout');
  expect(out).toBe(`FLOWCTL_PARAM_TOKEN=0\nFLOWCTL_MASK_1=0\nHOLDER=0\nTOKEN=${SECRET.length}\nPLAIN=3\n`);
});

async function readStoredText(store: Store, spec: AttemptSpec): Promise<string> {
  const key = `flows/${spec.flow}/runs/${spec.runId}/steps/${spec.step}/tasks/${spec.taskId}/attempts/${spec.attempt}/spec.json`;
  const local = store.kv.inPlacePath(key);
  return local ? readFile(local, 'utf8') : (await store.kv.get(key))!;
}
