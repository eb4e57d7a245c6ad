/** `flowctl logs --follow` on running tasks: it streams what the task prints and exits when the task ends. */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { flowctl, makeProject, startRun, StoreReader } from './helpers.js';

let cwd: string;

beforeAll(async () => {
  const counter = path.join(await mkdtemp(path.join(os.tmpdir(), 'flowctl-counter-')), 'n');
  cwd = await makeProject({
    'flow.yaml': `
version: 1
name: slow
steps:
  tick:
    run: echo first; sleep 2; echo second
  flaky:
    needs: [tick]
    retry: { attempts: 3, delay: 200ms }
    env: { COUNTER: "${counter}" }
    run: 'n=$(cat "$COUNTER" 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > "$COUNTER"; echo "try $n"; sleep 0.5; test "$n" -ge 3'
  fan:
    needs: [tick]
    foreach: [a, b]
    run: echo \${{ item }}
`,
  });
});

test('follows a running task to its end, then through every retry of the next', async () => {
  const { id, done } = await startRun(cwd, 'flow.yaml');
  const flaky = flowctl(['logs', `${id}/flaky/0`, '--follow'], { cwd }); // not started yet: waits for it
  const tick = await flowctl(['logs', `slow/${id}/tick`, '--follow'], { cwd });
  expect(tick.stderr).toBe('');
  expect(tick.stdout).toBe('first\nsecond');
  expect(tick.exitCode).toBe(0);
  // It returned because the task ended, not before: the task record is final.
  expect((await StoreReader.of(cwd).task('slow', id, 'tick')).state).toBe('succeeded');

  const f = await flaky;
  expect(f.exitCode).toBe(0);
  expect(f.stdout).toBe('try 1\ntry 2\ntry 3');
  expect(f.stderr).toMatch(/waiting for slow\/\S+\/flaky\/0 to start/);
  expect(f.stderr).toMatch(/--- slow\/\S+\/flaky\/0: attempt 2 ---\n--- slow\/\S+\/flaky\/0: attempt 3 ---/);
  expect((await done).exitCode).toBe(0);

  // A finished task: prints and exits at once; --attempt follows just that attempt.
  expect((await flowctl(['logs', `${id}/flaky/0`, '-f', '--attempt', '2'], { cwd })).stdout).toBe('try 2');
  const fan = await flowctl(['logs', `${id}/fan`, '--follow'], { cwd });
  expect(fan.exitCode).toBe(2);
  expect(fan.stderr).toMatch(/has 2 tasks \(0, 1\): follow one, e\.g\. slow\/\S+\/fan\/0/);
  expect((await flowctl(['logs', `${id}/fan/1`, '--follow', '--json'], { cwd })).exitCode).toBe(2);
}, 60000);
