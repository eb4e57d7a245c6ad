/** The live session and reporter: frames on a beat, not per event; lazy mount; the final frame stays. */
import { Writable } from 'node:stream';
import { LiveReporter } from '../../src/ui/live-reporter.js';
import { LiveSession } from '../../src/ui/live/session.js';
import { fanOut, recorded, stripAnsi } from './helpers.js';

/** A stand-in terminal: a writable stream with a size. */
function terminal(columns = 80, rows = 24) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text(): string };
  Object.assign(stream, { isTTY: true, columns, rows, text: () => chunks.join('') });
  return stream;
}

const session = (stream: NodeJS.WriteStream, intervalMs = 100) =>
  new LiveSession({ stream, intervalMs }, () => import('../../src/ui/live/ink-renderer.js'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('LiveSession', () => {
  test('draws nothing before the first event, and close without events is a no-op', async () => {
    const stream = terminal();
    const s = session(stream);
    await s.ready();
    await s.close();
    await s.close();
    expect(stream.text()).toBe('');
    expect(s.stats.frames).toBe(0);
  });

  test('thousands of events cost a handful of frames, and the final frame stays', async () => {
    const stream = terminal();
    const s = session(stream);
    await s.ready();
    const events = fanOut(2000, { workers: 16 });
    // feed the run over ~0.5 s in 25 bursts, the way a busy scheduler would
    const bursts = 25;
    const size = Math.ceil(events.length / bursts);
    for (let i = 0; i < bursts; i++) {
      for (const e of events.slice(i * size, (i + 1) * size)) s.onEvent(e);
      await sleep(20);
    }
    expect(s.stats.events).toBe(events.length);
    expect(events.length).toBeGreaterThan(10_000);
    // one frame on mount, then at most one per 100 ms
    expect(s.stats.frames).toBeGreaterThanOrEqual(1);
    expect(s.stats.frames).toBeLessThanOrEqual(1 + Math.ceil((bursts * 20) / 100) + 2);
    await s.close();
    const frames = s.stats.frames;
    expect(frames).toBeLessThanOrEqual(1 + Math.ceil((bursts * 20) / 100) + 3);
    s.onEvent(events[0]!);
    await sleep(150);
    expect(s.stats.frames).toBe(frames);
    const out = stripAnsi(stream.text());
    expect(out).toContain('run succeeded');
    expect(out).toMatch(/fit .*2000\/2000/);
    expect(out).toContain('flowctl show 20260101T120000.000Z-fan500');
  });

  test('the clock keeps frames coming without events, and stops on close', async () => {
    const stream = terminal();
    const s = session(stream, 50);
    for (const e of recorded('fail').slice(0, 5)) s.onEvent(e);
    await s.ready();
    // frames come at most every 50 ms here, and at least every second however slow they are
    await sleep(1100);
    const before = s.stats.frames;
    expect(before).toBeGreaterThanOrEqual(2);
    expect(before).toBeLessThanOrEqual(1100 / 50 + 1);
    await s.close();
    const after = s.stats.frames; // + the final frame
    await sleep(150);
    expect(s.stats.frames).toBe(after);
  });

  test('a resize redraws at once, at the new width', async () => {
    const stream = terminal(100, 30);
    const s = session(stream, 10_000);
    for (const e of recorded('success').slice(0, 20)) s.onEvent(e);
    await s.ready();
    const before = s.stats.frames;
    Object.assign(stream, { columns: 60 });
    s.resized();
    expect(s.stats.frames).toBe(before + 1);
    await s.close();
    const last = stripAnsi(stream.text()).split('\n').slice(-12);
    for (const line of last) expect([...line].length).toBeLessThanOrEqual(60);
  });

  test('a run that ends before ink is loaded still gets its final frame', async () => {
    const stream = terminal();
    const s = session(stream);
    for (const e of recorded('catch')) s.onEvent(e);
    await s.close();
    expect(stripAnsi(stream.text())).toContain('run succeeded with 1 caught failure');
  });
});

describe('LiveReporter', () => {
  test('inline: close is idempotent and leaves the final frame', async () => {
    const stream = terminal();
    const r = new LiveReporter({ stream, host: 'inline' });
    for (const e of recorded('retry')) r.onEvent(e);
    await Promise.all([r.close(), r.close()]);
    r.onEvent(recorded('retry')[0]!);
    const out = stripAnsi(stream.text());
    expect(out).toContain('run succeeded');
    expect(out.split('run succeeded')).toHaveLength(2);
  });
});
