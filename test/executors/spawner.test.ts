/**
 * The spawner process that starts every local command (src/executors/spawner/): what happens
 * when either side of it goes away. Real processes throughout.
 */
import { execa } from 'execa';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalProcessRunner } from '../../src/executors/local-process.js';
import { REPO } from '../helpers/cli.js';
import { request, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The pid a command wrote (atomically, via mv) to `file`, once it is there. */
async function pidFrom(file: string): Promise<number> {
  await waitFor('the command to start', () => {
    try {
      return readFileSync(file, 'utf8').trim() !== '';
    } catch {
      return false;
    }
  });
  return Number(readFileSync(file, 'utf8'));
}

/** Spawner processes whose parent is `parent`. */
function spawnersOf(parent: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (ppid === parent && cmd.includes('spawner/child.js') && alive(Number(name))) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

test('when flowctl is killed with SIGKILL, the spawner ends the commands it started (no orphans)', async () => {
  const pidFile = join(dir, 'pid');
  // A host that runs one long command through the built executor, as `flowctl run` would.
  const host = join(dir, 'host.mjs');
  writeFileSync(host, `
    import { LocalProcessRunner } from ${JSON.stringify(join(REPO, 'dist/executors/local-process.js'))};
    const ex = new LocalProcessRunner();
    ex.run({ runId: 'r', step: 's', taskId: '0', attempt: 1, shell: 'sh', cwd: ${JSON.stringify(dir)}, env: {},
      command: 'echo $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile} && exec sleep 1000',
      resources: { cpu: 1, memory: 1, gpu: 0 }, stdoutPath: ${JSON.stringify(join(dir, 'out'))}, stderrPath: ${JSON.stringify(join(dir, 'err'))} });
    setInterval(() => {}, 1000);
  `);
  const sub = execa('node', [host], { reject: false });
  const sleeper = await pidFrom(pidFile);
  expect(alive(sleeper)).toBe(true);
  sub.kill('SIGKILL');
  await sub;
  await waitFor('the orphaned command to be ended', () => !alive(sleeper));
});

test('when flowctl is killed with SIGKILL, the spawner also runs the command\'s onOrphan (how a container gets removed)', async () => {
  const pidFile = join(dir, 'pid');
  const marker = join(dir, 'orphan-ran');
  const host = join(dir, 'host.mjs');
  writeFileSync(host, `
    import { Spawner } from ${JSON.stringify(join(REPO, 'dist/executors/spawner/client.js'))};
    Spawner.for().spawn({ file: 'sh', args: ['-c', 'echo $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile} && exec sleep 1000'],
      cwd: ${JSON.stringify(dir)}, env: { PATH: process.env.PATH }, tag: 'orphan-test',
      onOrphan: { file: 'sh', args: ['-c', 'sleep 0.5; echo "after $PPID" > ${marker}'] } });
    setInterval(() => {}, 1000);
  `);
  const sub = execa('node', [host], { reject: false });
  const sleeper = await pidFrom(pidFile);
  sub.kill('SIGKILL');
  await sub;
  await waitFor('the command to be ended', () => !alive(sleeper));
  // It ran detached: it outlived the spawner, which exited at once.
  await waitFor('the orphan command to run', () => {
    try {
      return readFileSync(marker, 'utf8').startsWith('after ');
    } catch {
      return false;
    }
  });
});

test('if the spawner process dies under a running command, the attempt fails saying so and the command is ended', async () => {
  const pidFile = join(dir, 'pid');
  const { req } = request(dir, `echo $$ > ${pidFile}.tmp && mv ${pidFile}.tmp ${pidFile} && exec sleep 1000`);
  const attempt = new LocalProcessRunner().run(req);
  const sleeper = await pidFrom(pidFile);
  const spawners = spawnersOf(process.pid);
  expect(spawners.length).toBeGreaterThan(0);
  for (const pid of spawners) process.kill(pid, 'SIGKILL');
  const r = await attempt;
  expect(r.state).toBe('failed');
  expect(r.reason).toMatch(/spawner process ended/);
  await waitFor('the command to be ended', () => !alive(sleeper));

  // The next attempt starts a new spawner and runs normally.
  const again = request(dir, 'echo again');
  const r2 = await new LocalProcessRunner().run(again.req);
  expect(r2.state).toBe('succeeded');
  expect(again.log.out()).toEqual(['again']);
});

test('an idle spawner is let go after a few seconds, and comes back when needed', async () => {
  const first = request(dir, 'echo one');
  expect((await new LocalProcessRunner().run(first.req)).state).toBe('succeeded');
  expect(spawnersOf(process.pid).length).toBeGreaterThan(0);
  await waitFor('the idle spawner to exit', () => spawnersOf(process.pid).length === 0, 15_000);
  const second = request(dir, 'echo two');
  expect((await new LocalProcessRunner().run(second.req)).state).toBe('succeeded');
  expect(second.log.out()).toEqual(['two']);
}, 30_000);

test('commands started while an idle spawner is being let go run on its successor, unharmed', async () => {
  // Idle after 20 ms, and pauses of 0-60 ms between commands: many starts land while the
  // previous spawner is disconnecting or exiting.
  const host = join(dir, 'host.mjs');
  writeFileSync(host, `
    import { LocalProcessRunner } from ${JSON.stringify(join(REPO, 'dist/executors/local-process.js'))};
    const ex = new LocalProcessRunner();
    const states = [];
    for (let i = 0; i < 60; i++) {
      const r = await ex.run({ runId: 'r', step: 's', taskId: String(i), attempt: 1, shell: 'sh', cwd: ${JSON.stringify(dir)}, env: {},
        command: 'true', resources: { cpu: 1, memory: 1, gpu: 0 },
        stdoutPath: ${JSON.stringify(join(dir, 'out'))}, stderrPath: ${JSON.stringify(join(dir, 'err'))} });
      states.push(r.state === 'succeeded' ? 'ok' : r.reason);
      await new Promise((res) => setTimeout(res, (i * 7) % 61));
    }
    console.log(JSON.stringify(states));
  `);
  const r = await execa('node', [host], { env: { FLOWCTL_SPAWNER_IDLE_MS: '20' } });
  expect(JSON.parse(r.stdout)).toEqual(Array(60).fill('ok'));
}, 60_000);
