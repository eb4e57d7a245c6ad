/** Ending whole process trees: timeouts, aborts, TERM-ignoring and escaping children, leftovers. */
import { readFileSync } from 'node:fs';
import { LocalProcessRunner } from '../../src/executors/local-process.js';
import { marker, processesMatching, request, tempDir } from './helpers.js';

const executor = new LocalProcessRunner({ graceMs: 1000 });

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

async function timed<T>(p: Promise<T>): Promise<[T, number]> {
  const t = Date.now();
  const v = await p;
  return [v, Date.now() - t];
}

describe('LocalProcessRunner: timeout ends the whole tree', () => {
  test('background and foreground sleeps are ended; state timeout', async () => {
    const m = `sleep ${marker(1000)}`;
    const { req } = request(dir, `${m} & ${m}`, { timeoutMs: 1500 });
    const [r, ms] = await timed(executor.run(req));
    expect(r).toMatchObject({ state: 'timeout', reason: 'timed out after 1.5s', signal: 'SIGTERM' });
    expect(ms).toBeGreaterThanOrEqual(1500);
    expect(ms).toBeLessThan(4000);
    expect(processesMatching(m)).toEqual([]);
  });

  test('a grandchild that ignores TERM is KILLed after the grace period', async () => {
    const m = `sleep ${marker(1001)}`;
    const { req } = request(dir, `sh -c 'trap "" TERM; ${m}' & sleep 0.2; echo started; wait`, { timeoutMs: 1000 });
    const [r, ms] = await timed(executor.run(req));
    expect(r.state).toBe('timeout');
    expect(readLog(req.stdoutPath)).toBe('started\n');
    expect(ms).toBeGreaterThanOrEqual(1000 + 1000 - 50); // TERM, then a whole grace, then KILL
    expect(ms).toBeLessThan(5000);
    expect(processesMatching(m)).toEqual([]);
  });

  test('a child that left the group with setsid is found and killed', async () => {
    const [a, b] = [`sleep ${marker(1002)}`, `sleep ${marker(1012)}`];
    const { req } = request(dir, `setsid ${a} & ${b}`, { timeoutMs: 1000 });
    const [r, ms] = await timed(executor.run(req));
    expect(r.state).toBe('timeout');
    expect(ms).toBeLessThan(4000);
    expect(processesMatching(a)).toEqual([]);
    expect(processesMatching(b)).toEqual([]);
  });

  test('a setsid escapee whose parent already exited (reparented to init) is found by its tag', async () => {
    const [a, b] = [`sleep ${marker(1003)}`, `sleep ${marker(1013)}`];
    const { req } = request(dir, `sh -c 'setsid ${a} >/dev/null 2>&1 &'; sleep 0.3; ${b}`, { timeoutMs: 1000 });
    const r = await executor.run(req);
    expect(r.state).toBe('timeout');
    expect(processesMatching(a)).toEqual([]);
    expect(processesMatching(b)).toEqual([]);
  });
});

describe('LocalProcessRunner: abort', () => {
  test('abort → TERM the tree, state interrupted', async () => {
    const m = `sleep ${marker(1004)}`;
    const ac = new AbortController();
    const { req } = request(dir, `${m} & setsid ${m} & ${m}`, { signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    const [r, ms] = await timed(executor.run(req));
    expect(r).toMatchObject({ state: 'interrupted', reason: 'interrupted', signal: 'SIGTERM' });
    expect(ms).toBeLessThan(1000); // everything obeyed TERM: no grace waited
    expect(processesMatching(m)).toEqual([]);
  });

  test("abort with reason 'kill' kills at once, even what ignores TERM", async () => {
    const slow = new LocalProcessRunner({ graceMs: 30_000 });
    const m = `sleep ${marker(1005)}`;
    const ac = new AbortController();
    const { req } = request(dir, `trap "" TERM; ${m}`, { signal: ac.signal });
    setTimeout(() => ac.abort('kill'), 300);
    const [r, ms] = await timed(slow.run(req));
    expect(r).toMatchObject({ state: 'interrupted', signal: 'SIGKILL' });
    expect(ms).toBeLessThan(2000);
    expect(processesMatching(m)).toEqual([]);
  });

  test('killSignal during the grace of a first abort kills at once', async () => {
    const slow = new LocalProcessRunner({ graceMs: 30_000 });
    const m = `sleep ${marker(1006)}`;
    const first = new AbortController();
    const second = new AbortController();
    const { req } = request(dir, `trap "" TERM; ${m}`, { signal: first.signal, killSignal: second.signal });
    setTimeout(() => first.abort(), 200);
    setTimeout(() => second.abort(), 700);
    const [r, ms] = await timed(slow.run(req));
    expect(r.state).toBe('interrupted');
    expect(ms).toBeGreaterThanOrEqual(650);
    expect(ms).toBeLessThan(2500);
    expect(processesMatching(m)).toEqual([]);
  });

  test('an abort right after the call (while logs open) runs nothing', async () => {
    const ac = new AbortController();
    const { req } = request(dir, 'touch ran', { signal: ac.signal });
    const pending = executor.run(req);
    ac.abort();
    expect((await pending).state).toBe('interrupted');
    expect(() => readLog(`${dir}/ran`)).toThrow();
  });

  test('an already aborted signal runs nothing', async () => {
    const ac = new AbortController();
    ac.abort();
    const { req } = request(dir, 'touch ran', { signal: ac.signal });
    const r = await executor.run(req);
    expect(r).toMatchObject({ state: 'interrupted', reason: 'interrupted before start', exitCode: null });
    expect(() => readLog(`${dir}/ran`)).toThrow();
  });
});

describe('LocalProcessRunner: processes left behind when the command exits', () => {
  test('a background job holding the output pipe does not hold up the attempt; it is ended', async () => {
    const m = `sleep ${marker(1007)}`;
    const { req } = request(dir, `${m} & echo done`);
    const [r, ms] = await timed(executor.run(req));
    expect(r).toMatchObject({ state: 'succeeded', exitCode: 0, leftoverProcesses: 1 });
    expect(ms).toBeLessThan(2000);
    expect(readLog(req.stdoutPath)).toBe('done\n');
    expect(processesMatching(m)).toEqual([]);
  });

  test('a daemon that escaped with setsid and redirected its output is ended too', async () => {
    const m = `sleep ${marker(1008)}`;
    const { req } = request(dir, `setsid sh -c '${m}' >/dev/null 2>&1 < /dev/null & sleep 0.2; exit 4`);
    const r = await executor.run(req);
    expect(r).toMatchObject({ state: 'failed', reason: 'exit code 4' });
    expect(r.leftoverProcesses).toBeGreaterThanOrEqual(1);
    expect(processesMatching(m)).toEqual([]);
  });

  test('a clean command reports no leftovers', async () => {
    const { req } = request(dir, 'true');
    const r = await executor.run(req);
    expect(r.state).toBe('succeeded');
    expect(r.leftoverProcesses).toBeUndefined();
  });
});

function readLog(path: string): string {
  return readFileSync(path, 'utf8');
}
