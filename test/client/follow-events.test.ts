/** Following a log without local files (as on S3): replayed from the run's events.ndjson. */
import path from 'node:path';
import { openFsPorts, type FsPorts } from '../../src/store/fs-store.js';
import { Store, type StorePorts } from '../../src/store/store.js';
import type { KeyStore } from '../../src/store/key-store.js';
import { ClientContext, Run, type LogChunk } from '../../src/index.js';
import { makeProject, startRun } from '../show/helpers.js';

/** The local store as a remote one looks to a reader (logs not live): the client must read logs through events. */
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

test('followLogs streams a running task from events and ends with the task', async () => {
  const cwd = await makeProject({ 'flow.yaml': 'version: 1\nname: ev\nsteps:\n  tick:\n    run: echo one; sleep 1.5; echo two; echo three >&2\n' });
  const { id, done } = await startRun(cwd, 'flow.yaml');
  const store = new Store(remoteLike(await openFsPorts(path.join(cwd, '.flowctl'))));
  const ctx = new ClientContext({ store, namespace: null });
  const run = await Run.get(id, ctx);
  expect((await run.steps()).map((s) => s.name)).toEqual(['tick']); // the plan read through getText
  const task = run.step('tick').task(0);
  const chunks: LogChunk[] = [];
  for await (const c of task.followLogs({ pollMs: 50 })) chunks.push(c);
  const data = chunks.filter((c) => c.type === 'data').map((c) => (c as { data: Buffer }).data.toString()).join('');
  expect(data).toBe('one\ntwo\n');
  expect(chunks[0]).toEqual({ type: 'attempt', attempt: 1 });
  expect(chunks.at(-1)).toMatchObject({ type: 'end', reason: 'task-finished', state: 'succeeded' });
  const stderr: string[] = [];
  for await (const c of task.followLogs({ stream: 'stderr', pollMs: 50 })) if (c.type === 'data') stderr.push(c.data.toString());
  expect(stderr.join('')).toBe('three\n');
  expect(await (await task.load()).logs()).toBe('one\ntwo\n');
  expect((await done).exitCode).toBe(0);
}, 30000);
