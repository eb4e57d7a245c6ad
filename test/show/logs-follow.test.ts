/** `flowctl logs --follow` on running tasks: it streams what the task prints and exits when the task ends. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { BIN } from '../helpers/cli.js';
import { flowctl, json, makeProject, startRun, StoreReader } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

let cwd: string;
let gate: string;

beforeAll(async () => {
  const tmp = await tempDir('flowctl-counter-');
  const counter = path.join(tmp, 'n');
  gate = path.join(tmp, 'gate');
  cwd = await makeProject({
    'flow.yaml': `
version: 1
name: slow
steps:
  tick:
    # Prints a line, waits until the test's follower has shown it (at most 10 s), sleeps, prints another.
    env: { GATE: "${gate}" }
    run: 'echo first; for i in $(seq 100); do [ -e "$GATE" ] && break; sleep 0.1; done; sleep 1; echo second'
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
  // Both followers start while tick runs and flaky has not started (it waits for it).
  const tick = followWithTimes(cwd, [`slow/${id}/tick`, '--follow'], () => writeFile(gate, ''));
  const flaky = flowctl(['logs', `${id}/flaky/0`, '--follow'], { cwd });
  try {
    // While it runs: state running, no duration yet, steps not reached are pending.
    const live = await json(['show', id], cwd);
    expect(live.run).toMatchObject({ state: 'running', stale: false, finishedAt: null, durationMs: null });
    expect(live.steps.find((st: any) => st.step === 'flaky')).toMatchObject({ state: 'pending', tasks: 0 });
    expect((await flowctl(['show', 'slow'], { cwd })).stdout).toMatch(new RegExp(`^${id.replace('.', '\\.')}\\s+running\\s+\\S+ \\S+\\s+[\\d.]+m?s\\+\\s+tester`, 'm'));

    const t = await tick;
    expect(t.stderr).toBe('');
    expect(t.stdout).toBe('first\nsecond\n');
    expect(t.exitCode).toBe(0);
    // Streamed, not printed at the end: the task printed "second" only after the follower had shown "first".
    expect(t.lineTimes[1]! - t.lineTimes[0]!).toBeGreaterThan(900);
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
  } finally {
    await writeFile(gate, '');
    await Promise.allSettled([done, flaky]);
  }
}, 60000);

/** Runs `flowctl logs …` and records when each stdout line arrived. */
async function followWithTimes(cwd: string, args: string[], onFirstLine: () => unknown): Promise<{ exitCode: number; stdout: string; stderr: string; lineTimes: number[] }> {
  const child = execa('node', [BIN, 'logs', ...args], { cwd, reject: false, stripFinalNewline: false, env: { FLOWCTL_USER: 'tester' } });
  const lineTimes: number[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    for (const _ of chunk.toString().matchAll(/\n/g)) if (lineTimes.push(Date.now()) === 1) void onFirstLine();
  });
  const r = await child;
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), lineTimes };
}
