/** Client API for views that follow runs: Run.events() read incrementally, Run.graph(), Flow.runIds(), followLogs({ tailBytes }). */
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openFsPorts, type FsPorts } from '../../src/store/fs-store.js';
import type { KeyStore } from '../../src/store/key-store.js';
import { Store, type StorePorts } from '../../src/store/store.js';
import { ClientContext, Flow, Run, type LogChunk, type RunEventJson } from '../../src/index.js';
import { flowctl, makeProject, runIdFrom } from '../helpers/cli.js';

const FLOW = `version: 1
name: ev
steps:
  many:
    run: node -e "for (let i = 0; i < 2000; i++) console.log('line ' + i)"
  grp:
    needs: [many]
    foreach: [1, 2]
    steps:
      a: { run: echo a }
      b: { needs: [a], run: echo b }
  last:
    needs: [grp]
    run: echo last
`;

let cwd: string;
let id: string;
let second: string;
let local: ClientContext;
let remote: ClientContext;

/** The local store as a remote one looks to a reader (logs not live): the client reads as it would from S3. */
function remoteLike(ports: FsPorts): StorePorts {
  const kv = new Proxy(ports.kv, {
    get(target, prop) {
      if (prop === 'live') return false;
      if (prop === 'inPlacePath') return () => undefined;
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  }) as KeyStore;
  return { objects: ports.objects, kv };
}

beforeAll(async () => {
  cwd = await makeProject({ 'flow.yaml': FLOW });
  id = runIdFrom(await flowctl(['run', 'flow.yaml'], { cwd }));
  second = runIdFrom(await flowctl(['run', 'flow.yaml', '--production', '--no-cache'], { cwd }));
  local = new ClientContext({ datastore: path.join(cwd, '.flowctl'), namespace: null });
  remote = new ClientContext({ store: new Store(remoteLike(await openFsPorts(path.join(cwd, '.flowctl')))), namespace: null });
}, 60_000);

afterAll(() => rm(cwd, { recursive: true, force: true }));

async function readAll(run: Run, opts: { maxBytes?: number; logs?: boolean }): Promise<{ events: RunEventJson[]; reads: number; next: number }> {
  const events: RunEventJson[] = [];
  let from = 0;
  let reads = 0;
  for (;;) {
    const page = await run.events({ ...opts, from });
    reads++;
    expect(page.next).toBeGreaterThanOrEqual(from);
    events.push(...page.events);
    from = page.next;
    if (!page.more) return { events, reads, next: from };
  }
}

test.each([['local', () => local], ['remote', () => remote]])('Run.events() in slices of maxBytes adds up to the whole log (%s store)', async (_name, ctx) => {
  const run = await Run.get(id, ctx());
  const file = path.join(cwd, '.flowctl/flows/ev/runs', id, 'events.ndjson');
  const whole = (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as RunEventJson);
  const sliced = await readAll(run, { maxBytes: 4096 });
  expect(sliced.reads).toBeGreaterThan(10);
  expect(sliced.events).toEqual(whole);
  expect(sliced.next).toBe((await readFile(file)).length);
  const noLogs = await readAll(run, { logs: false });
  expect(noLogs.events).toEqual(whole.filter((e) => e.type !== 'log'));
  expect(noLogs.events.map((e) => e.type)).toContain('run-finished');
  // Reading from the end finds nothing new.
  expect(await run.events({ from: sliced.next })).toEqual({ events: [], next: sliced.next, more: false });
});

test('Run.events() leaves a line still being written for the next read', async () => {
  const run = await Run.get(id, local);
  const file = path.join(cwd, '.flowctl/flows/ev/runs', id, 'events.ndjson');
  const end = (await readAll(run, {})).next;
  await appendFile(file, '{"type":"custom-event","time":"2026-01-01T00:00:00.000Z","ru');
  expect(await run.events({ from: end })).toEqual({ events: [], next: end, more: false });
  await appendFile(file, `nId":"${id}","n":1}\n{"type":"log","time":"x","runId":"${id}","line":"hi"}\n`);
  const page = await run.events({ from: end, logs: false });
  expect(page.events).toEqual([{ type: 'custom-event', time: '2026-01-01T00:00:00.000Z', runId: id, n: 1 }]);
  expect(page.next).toBe((await readFile(file)).length);
});

test('Run.graph() gives the plan: groups before their steps, qualified needs, fan-outs', async () => {
  const graph = await (await Run.get(id, local)).graph();
  expect(graph).toEqual([
    { step: 'many', parent: null, foreach: false, needs: [], group: false },
    { step: 'grp', parent: null, foreach: true, needs: ['many'], group: true },
    { step: 'grp.a', parent: 'grp', foreach: false, needs: [], group: false },
    { step: 'grp.b', parent: 'grp', foreach: false, needs: ['grp.a'], group: false },
    { step: 'last', parent: null, foreach: false, needs: ['grp'], group: false },
  ]);
  expect(await (await Run.get(id, remote)).graph()).toEqual(graph);
  expect((await (await Run.get(id, local)).steps()).map((s) => s.name)).toEqual(['many', 'grp.a', 'grp.b', 'last']);
});

test('Flow.runIds() lists every namespace, newest first, reading no record', async () => {
  expect(await new Flow('ev', local.withNamespace('user:tester')).runIds()).toEqual([second, id]);
  expect((await new Flow('ev', local.withNamespace('user:tester')).runs()).map((r) => r.id)).toEqual([id]);
});

test('a context that caches finished runs reads each record once, and still sees tags edited since', async () => {
  const cached = new ClientContext({ datastore: path.join(cwd, '.flowctl'), namespace: null, cacheFinishedRuns: true });
  expect((await new Flow('ev', cached).runs()).map((r) => [r.id, r.tags])).toEqual([[second, []], [id, []]]);
  const file = path.join(cwd, '.flowctl/flows/ev/runs', id, 'run.json');
  const original = await readFile(file, 'utf8');
  try {
    expect((await flowctl(['tag', 'add', id, 'kept'], { cwd })).exitCode).toBe(0);
    await writeFile(file, 'not json: a cached record is not read again');
    expect((await new Flow('ev', cached).runs()).map((r) => [r.id, r.tags])).toEqual([[second, []], [id, ['kept']]]);
    expect((await Run.get(`ev/${id}`, cached.withNamespace('user:tester'))).tags).toEqual(['kept']);
    // Without the cache the record is read again: the run is listed as damaged.
    expect((await new Flow('ev', local.withNamespace(null)).runs()).map((r) => [r.id, r.state])).toEqual([[second, 'succeeded'], [id, 'damaged']]);
  } finally {
    await writeFile(file, original);
    await flowctl(['tag', 'remove', id, 'kept'], { cwd });
  }
});

test.each([['local', () => local], ['remote', () => remote]])('followLogs({ tailBytes }) starts at a line start near the end and says what it left out (%s store)', async (_name, ctx) => {
  const task = (await Run.get(id, ctx())).step('many').task(0);
  const full = (await task.load()).logs();
  const chunks: LogChunk[] = [];
  for await (const c of task.followLogs({ tailBytes: 1000, pollMs: 20 })) chunks.push(c);
  const text = chunks.filter((c) => c.type === 'data').map((c) => (c as { data: Buffer }).data.toString()).join('');
  const skipped = chunks.find((c) => c.type === 'skipped') as { bytes: number; attempt: number };
  const whole = await full;
  expect(chunks[0]).toEqual({ type: 'attempt', attempt: 1 });
  expect(skipped).toEqual({ type: 'skipped', attempt: 1, bytes: whole.length - text.length });
  expect(text.length).toBeLessThanOrEqual(1000);
  expect(text.length).toBeGreaterThan(900);
  expect(text).toMatch(/^line \d+\n/);
  expect(whole.endsWith(text)).toBe(true);
  expect(chunks.at(-1)).toMatchObject({ type: 'end', reason: 'task-finished', state: 'succeeded' });
  // A log shorter than the tail is sent whole, with nothing skipped.
  const small: LogChunk[] = [];
  for await (const c of (await Run.get(id, ctx())).step('last').task(0).followLogs({ tailBytes: 1000, pollMs: 20 })) small.push(c);
  expect(small.map((c) => c.type)).toEqual(['attempt', 'data', 'end']);
});
