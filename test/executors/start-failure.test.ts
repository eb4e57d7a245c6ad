/**
 * A command that cannot be started fails alone: the spawner process survives any one message
 * (Node throws E2BIG, ENOMEM, NUL bytes, bad arguments synchronously), and the executor turns
 * the failure into a reason with a hint. Real processes throughout.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalProcessRunner } from '../../src/executors/local-process.js';
import { Spawner } from '../../src/executors/spawner/client.js';
import { explainStartFailure, MAX_ARG_STRLEN } from '../../src/executors/start-failure.js';
import { request, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

const env = (): Record<string, string> => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' });

/** A command's output must be read for it to close. */
function drained<T extends { stdout: NodeJS.ReadableStream; stderr: NodeJS.ReadableStream }>(c: T): T {
  c.stdout.resume();
  c.stderr.resume();
  return c;
}

test('the spawner survives messages it cannot start, and a command already running finishes normally', async () => {
  const spawner = Spawner.for([]);
  const done = join(dir, 'done');
  const long = drained(spawner.spawn({ file: '/bin/sh', args: ['-c', `sleep 1; echo ok > ${done}`], cwd: dir, env: env(), tag: 't1' }));
  expect('pid' in (await long.started)).toBe(true);

  const tooLong = spawner.spawn({ file: '/bin/sh', args: ['-c', 'x'.repeat(MAX_ARG_STRLEN + 10)], cwd: dir, env: env(), tag: 't2' });
  expect(await tooLong.started).toMatchObject({ code: 'E2BIG' });
  const nul = spawner.spawn({ file: '/bin/sh', args: ['-c', 'echo a\0b'], cwd: dir, env: env(), tag: 't3' });
  expect(await nul.started).toMatchObject({ code: 'ERR_INVALID_ARG_VALUE' });
  // Not a SpawnRequest at all: whatever throws inside the spawner stays with this command.
  const malformed = spawner.spawn({ file: '/bin/sh', args: 'not a list' as unknown as string[], cwd: dir, env: env(), tag: 't4' });
  expect(await malformed.started).toMatchObject({ error: expect.any(String) });
  for (const c of [tooLong, nul, malformed]) {
    const end = await c.closed;
    expect(end.code).toBeNull();
    expect(end.lost).toBeUndefined();
  }

  expect(await long.closed).toMatchObject({ code: 0, signal: null });
  expect(readFileSync(done, 'utf8')).toBe('ok\n');
  const after = drained(spawner.spawn({ file: '/bin/sh', args: ['-c', 'exit 3'], cwd: dir, env: env(), tag: 't5' }));
  expect(await after.closed).toMatchObject({ code: 3 });
});

test('an attempt over the argument limit fails with the reason and hint, its log files exist, and the next attempt runs', async () => {
  const { req } = request(dir, `echo ${'y'.repeat(200_000)}`);
  const r = await new LocalProcessRunner().run(req);
  expect(r).toMatchObject({ state: 'failed', exitCode: null });
  expect(r.reason).toBe(
    'could not start: the rendered run: command is 195.3 KiB, over the 128 KiB the system allows for one argument (E2BIG); ' +
      'pass large values through a file, e.g. an upstream output, instead of embedding them in run:/env:',
  );
  expect(existsSync(req.stdoutPath)).toBe(true);
  const next = request(dir, 'echo fine');
  expect(await new LocalProcessRunner().run(next.req)).toMatchObject({ state: 'succeeded' });
  expect(next.log.out()).toEqual(['fine']);
});

test('a start failure never shows a secret: the reason is masked', async () => {
  const { req } = request(dir, 'echo hi', { cwd: join(dir, 'missing-s3cr3t'), mask: (t) => t.replaceAll('s3cr3t', '***') });
  const r = await new LocalProcessRunner().run(req);
  expect(r.reason).toBe(`could not start: working directory ${join(dir, 'missing-***')} does not exist`);
});

test('reasons for running out of processes, memory or files say what to do', () => {
  const what = { shell: 'sh', command: 'true', env: {} };
  expect(explainStartFailure('EAGAIN', 'spawn EAGAIN', what)).toMatch(/^the system refused to create another process \(EAGAIN.*\); lower --max-workers/);
  expect(explainStartFailure('ENOMEM', 'spawn ENOMEM', what)).toMatch(/^not enough memory to start a process \(ENOMEM\); lower --max-workers.*resources\.memory/);
  expect(explainStartFailure('ENFILE', 'spawn ENFILE', what)).toMatch(/^the system's table of open files is full \(ENFILE\); lower --max-workers/);
  expect(explainStartFailure('EWHATEVER', 'spawn EWHATEVER\nmore', what)).toBe('spawn EWHATEVER');
});
