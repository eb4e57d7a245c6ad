/**
 * Issue 15, item 3: the attempts of a fan-out are gathered into one submission (one array job)
 * even when they trickle in for longer than an ordinary group may wait; a fan-out with tasks
 * that never come (reused from the cache) is handed on once arrivals stop.
 */
import { Gatherer } from '../../src/executors/batch/gather.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));
const OPTS = { idleMs: 80, maxWaitMs: 200, fanoutWaitMs: 5000 };

function gatherer() {
  const flushed: number[][] = [];
  return { flushed, g: new Gatherer<number>((_key, items) => flushed.push(items), OPTS) };
}

test('a fan-out arriving over longer than maxWaitMs is still one submission', async () => {
  const { g, flushed } = gatherer();
  for (let i = 0; i < 20; i++) {
    g.add('fit', i, { key: 'fit@', size: 20 });
    await tick(30); // 600 ms in all, three times maxWaitMs
  }
  expect(flushed).toEqual([Array.from({ length: 20 }, (_, i) => i)]);
});

test('attempts without a fan-out (retries) are handed on after maxWaitMs at the latest', async () => {
  const { g, flushed } = gatherer();
  for (let i = 0; i < 20; i++) {
    g.add('fit', i);
    await tick(30);
  }
  await tick(OPTS.idleMs * 2);
  expect(flushed.length).toBeGreaterThan(1);
  expect(flushed.flat()).toEqual(Array.from({ length: 20 }, (_, i) => i));
});

test('a fan-out whose other tasks were reused is handed on once nothing new comes for idleMs', async () => {
  const { g, flushed } = gatherer();
  const t0 = Date.now();
  for (const i of [0, 1, 2]) g.add('fit', i, { key: 'fit@', size: 10 });
  while (!flushed.length) await tick(10);
  expect(flushed).toEqual([[0, 1, 2]]);
  expect(Date.now() - t0).toBeLessThan(OPTS.maxWaitMs + 100);
});
