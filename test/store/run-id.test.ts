import { jest } from '@jest/globals';
import { spawn } from 'node:child_process';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_ID_PATTERN, nextRunId, runIdTime } from '../../src/store/run-id.js';
import { keys } from '../../src/store/records.js';
import { compileStore } from './compile.js';
import { tempDir, tempStore } from './helpers.js';

test('ids look like 20261126T131500.123Z-xxxxxx and carry their time', () => {
  const before = Date.now();
  const id = nextRunId();
  expect(id).toMatch(RUN_ID_PATTERN);
  expect(runIdTime(id)!.getTime()).toBeGreaterThanOrEqual(before);
  expect(runIdTime('20261126T131500.123Z-k3f9qz')!.toISOString()).toBe('2026-11-26T13:15:00.123Z');
  expect(runIdTime('not-an-id')).toBeUndefined();
});

test('ids sort chronologically, also within one millisecond and when the clock steps back', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 2000; i++) ids.push(nextRunId());
  const base = Date.now() + 3_600_000;
  ids.push(nextRunId(base), nextRunId(base), nextRunId(base - 5000), nextRunId(base + 1));
  expect([...ids].sort()).toEqual(ids);
  expect(new Set(ids).size).toBe(ids.length);
});

test('newRunId claims the id in the runs/ index and retries on a collision', async () => {
  const t = await tempStore();
  try {
    const far = Date.now() + 10 * 365 * 86_400_000; // beyond any id minted earlier in this file
    const now = jest.spyOn(Date, 'now').mockReturnValue(far);
    const rnd = jest.spyOn(Math, 'random').mockReturnValue(0);
    const stamp = new Date(far).toISOString().replace(/[-:]/g, '');
    // Another process already holds the first candidate.
    expect(await t.backend.kv.createExclusive(keys.runIndex(`${stamp}-000000`), 'other')).toBe(true);
    const id = await t.store.newRunId('train');
    now.mockRestore();
    rnd.mockRestore();
    expect(id).toBe(`${stamp}-000001`);
    expect(await t.backend.kv.get(keys.runIndex(id))).toBe('train');
    expect(await t.backend.kv.get(keys.runIndex(`${stamp}-000000`))).toBe('other');
  } finally {
    await t.cleanup();
  }
});

test('two node processes started together making 200 ids each never collide', async () => {
  const t = await tempStore();
  const build = await tempDir('flowctl-store-build-');
  try {
    const index = await compileStore(build.dir);
    const child = join(build.dir, 'child.mjs');
    // Each child waits for "go" on stdin, so both start minting in the same instant.
    await writeFile(child, `
      import { openFsPorts, Store } from ${JSON.stringify(index)};
      const store = new Store(await openFsPorts(process.argv[2]));
      process.stdout.write('ready\\n');
      process.stdin.once('data', async () => {
        const ids = [];
        for (let i = 0; i < 200; i++) ids.push(await store.newRunId('f'));
        process.stdout.write(JSON.stringify(ids) + '\\n');
        process.exit(0);
      });
    `);
    const run = () => {
      const p = spawn(process.execPath, [child, t.backend.objects.location], { stdio: ['pipe', 'pipe', 'inherit'] });
      let out = '';
      const ready = new Promise<void>((resolve) => p.stdout.on('data', (d) => { out += d; if (out.includes('ready\n')) resolve(); }));
      const done = new Promise<string[]>((resolve, reject) => p.on('exit', (code) =>
        code === 0 ? resolve(JSON.parse(out.split('\n')[1])) : reject(new Error(`child exited ${code}`))));
      return { p, ready, done };
    };
    const kids = [run(), run()];
    await Promise.all(kids.map((k) => k.ready));
    for (const k of kids) k.p.stdin.write('go\n');
    const [a, b] = await Promise.all(kids.map((k) => k.done));
    expect(a).toHaveLength(200);
    expect(b).toHaveLength(200);
    expect(new Set([...a, ...b]).size).toBe(400);
    // Each process's ids are in order, and every id was claimed in the store.
    expect([...a].sort()).toEqual(a);
    expect([...b].sort()).toEqual(b);
    expect(await readdir(join(t.backend.objects.location, 'runs'))).toHaveLength(400);
  } finally {
    await build.cleanup();
    await t.cleanup();
  }
});
