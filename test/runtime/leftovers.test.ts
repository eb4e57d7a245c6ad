/**
 * Crash leftovers (issue 16 item 3): `kill -9` of a real run leaves its task directories in the
 * store's tmp/, and a writer killed mid-write leaves its temp file. The next resume, the next run
 * and gc on that store remove what dead processes left, never what a live run is using.
 */
import { execa, type ResultPromise } from 'execa';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { BIN, flowctl, makeProject, REPO, runIdFrom } from '../helpers/cli.js';
import { removeDir } from '../helpers/tmp.js';

const FANOUT = `version: 1
name: fan
steps:
  work:
    foreach: [1, 2, 3, 4, 5, 6]
    run: head -c 1000000 /dev/zero > big.bin && sleep 60
    outputs: [big.bin]
`;
const SLOW = 'version: 1\nname: slow\nsteps:\n  a:\n    run: sleep 6\n';
const QUICK = 'version: 1\nname: quick\nsteps:\n  a:\n    run: echo hi\n';

let dir: string;
const spawned: ResultPromise[] = [];
const tasksDir = () => path.join(dir, '.flowctl', 'tmp', 'tasks');
const tmpDir = () => path.join(dir, '.flowctl', 'tmp');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exists = (p: string) => stat(p).then(() => true, () => false);

beforeAll(async () => {
  dir = await makeProject({ 'fan.yaml': FANOUT, 'slow.yaml': SLOW, 'quick.yaml': QUICK });
});
afterAll(async () => {
  // flowctl's spawner ends the tasks of a killed run (README: Ctrl-C, crashes); a run still alive is stopped.
  for (const p of spawned) if (p.exitCode === null && p.signalCode === null && p.pid) process.kill(p.pid, 'SIGTERM');
  await Promise.all(spawned);
  await removeDir(dir);
});

/** Start a run of fan.yaml, wait until its task directories hold their files, kill -9 flowctl. Returns the run id. */
async function killedRun(): Promise<string> {
  const p = execa(process.execPath, [BIN, 'run', 'fan.yaml', '-q'], { cwd: dir, reject: false, detached: true, env: { FLOWCTL_USER: 'tester' } });
  spawned.push(p);
  let runId: string | undefined;
  for (let i = 0; i < 300 && !runId; i++) {
    await sleep(100);
    for (const name of await readdir(tasksDir()).catch(() => [] as string[])) {
      // The run's owner file, and a task directory (slot-N/work) holding what the task wrote.
      const wrote = await stat(path.join(tasksDir(), name, 'slot-0', 'work', 'big.bin')).catch(() => undefined);
      if (wrote?.size === 1_000_000 && (await exists(path.join(tasksDir(), name, 'owner.json')))) runId = name;
    }
  }
  expect(runId).toBeDefined();
  await sleep(500);
  process.kill(p.pid!, 'SIGKILL');
  await p;
  await sleep(300);
  return runId!;
}

/** A temp file left by a writer that died mid-write (a real process, killed). */
async function deadWritersTemp(): Promise<string> {
  const script = `const { tempName } = await import(${JSON.stringify(path.join(REPO, 'dist/store/fs-util.js'))});
const { writeFileSync } = await import('node:fs');
const p = ${JSON.stringify(tmpDir())} + '/' + tempName('obj');
writeFileSync(p, Buffer.alloc(300000));
process.stdout.write(p);
process.kill(process.pid, 'SIGKILL');`;
  const r = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
  expect(r.signal).toBe('SIGKILL');
  await stat(r.stdout);
  return r.stdout;
}

test('the next resume, run and gc remove dead runs\' task directories and temp files, never a live run\'s', async () => {
  // resume
  const a = await killedRun();
  const tempA = await deadWritersTemp();
  expect(await exists(path.join(tasksDir(), a))).toBe(true);
  const live = execa(process.execPath, [BIN, 'run', 'slow.yaml', '-q'], { cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester' } });
  let liveDir: string | undefined;
  for (let i = 0; i < 100 && !liveDir; i++) {
    await sleep(100);
    liveDir = (await readdir(tasksDir())).find((n) => n !== a);
  }
  expect(liveDir).toBeDefined();
  const resumed = await execa(process.execPath, [BIN, 'resume', a, '-q'], { cwd: dir, reject: false, timeout: 5000, env: { FLOWCTL_USER: 'tester' } });
  // The resume runs the fan-out again (sleep 60): it is stopped; the sweep ran at its start.
  expect(resumed.timedOut || resumed.exitCode !== 0).toBe(true);
  expect(await exists(path.join(tasksDir(), a))).toBe(false);
  expect(await exists(tempA)).toBe(false);
  expect(await exists(path.join(tasksDir(), liveDir!))).toBe(true); // the live run's, untouched
  expect((await live).exitCode).toBe(0);

  // run
  for (const name of await readdir(tasksDir())) await removeDir(path.join(tasksDir(), name)); // what the timed-out resume left
  const b = await killedRun();
  const tempB = await deadWritersTemp();
  const run = await flowctl(['run', 'quick.yaml', '-q'], { cwd: dir });
  expect(run.exitCode).toBe(0);
  expect(await exists(path.join(tasksDir(), b))).toBe(false);
  expect(await exists(tempB)).toBe(false);

  // gc: --dry-run counts them and leaves them, gc removes them
  const c = await killedRun();
  const tempC = await deadWritersTemp();
  const dry = JSON.parse((await flowctl(['gc', '--dry-run', '--json'], { cwd: dir })).stdout);
  expect(dry.leftovers.count).toBeGreaterThanOrEqual(2);
  expect(dry.leftovers.bytes).toBeGreaterThanOrEqual(300000);
  expect(await exists(path.join(tasksDir(), c))).toBe(true);
  const gc = await flowctl(['gc', '--json'], { cwd: dir });
  expect(gc.exitCode).toBe(0);
  expect(JSON.parse(gc.stdout).leftovers).toEqual(dry.leftovers);
  expect(await exists(path.join(tasksDir(), c))).toBe(false);
  expect(await exists(tempC)).toBe(false);
  expect(runIdFrom(run)).toBeTruthy();
}, 180_000);
