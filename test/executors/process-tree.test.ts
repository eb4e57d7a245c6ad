import { spawn } from 'node:child_process';
import { findTree, killTree, parseStat, readProc, readProcessTable } from '../../src/executors/process-tree.js';

describe('parseStat', () => {
  test('a comm holding spaces and parentheses does not shift the fields', () => {
    const p = parseStat('4242 (we (ird) name) S 17 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 987654 0 0');
    expect(p).toEqual({ pid: 4242, state: 'S', ppid: 17, pgid: 4242, start: '987654' });
  });

  test('garbage gives undefined', () => {
    expect(parseStat('nonsense')).toBeUndefined();
  });
});

describe('process tree', () => {
  test('/proc and ps agree on our own process', () => {
    const proc = readProcessTable('proc').get(process.pid);
    const ps = readProcessTable('ps').get(process.pid);
    expect(proc).toMatchObject({ pid: process.pid, ppid: process.ppid });
    expect(ps).toMatchObject({ pid: process.pid, ppid: process.ppid, pgid: proc!.pgid });
  });

  test('findTree finds group members and children that left the group; killTree ends them all', async () => {
    const child = spawn('sh', ['-c', 'sleep 1010 & setsid sleep 1011 & sleep 1012'], { detached: true, stdio: 'ignore' });
    const pid = child.pid!;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Until all three sleeps run and the setsid one has left the group (under load, `setsid`
    // can still be on its way to setsid() when the fourth process first shows up).
    const settled = (t: ReturnType<typeof findTree>) => t.length === 4 && t.some((p) => p.pgid !== pid);
    let tree = findTree({ pid });
    for (let i = 0; i < 250 && !settled(tree); i++) {
      await new Promise((r) => setTimeout(r, 20));
      tree = findTree({ pid });
    }
    let result;
    try {
      expect(tree.map((p) => p.pid)).toContain(pid);
      expect(tree).toHaveLength(4); // sh + three sleeps
      expect(tree.filter((p) => p.pgid !== pid)).toHaveLength(1); // the setsid one
    } finally {
      // Also when an expectation failed: a live child would keep jest from exiting for 1,000 s.
      result = await killTree({ pid, start: readProc(pid)?.start }, { graceMs: 1000 });
    }
    await exited;
    expect(result).toEqual({ signalled: 4, killed: 0 });
    const table = readProcessTable();
    for (const p of tree) {
      const now = table.get(p.pid);
      expect(now === undefined || now.state === 'Z' || now.start !== p.start).toBe(true);
    }
  });

  test('killTree of a tree that is already gone returns at once', async () => {
    const t = Date.now();
    expect(await killTree({ pid: 2 ** 22 + 1 }, { graceMs: 5000 })).toEqual({ signalled: 0, killed: 0 });
    expect(Date.now() - t).toBeLessThan(2500); // well under the 5 s grace it would wait if it thought anything was alive
  });
});
