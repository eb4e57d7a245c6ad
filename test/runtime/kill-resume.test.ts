/**
 * Kill a run at random moments (SIGINT and SIGKILL alternately), then resume it: the
 * resumed run must succeed with outputs byte-identical to an uninterrupted run. This is
 * what proves records and objects are never half-written.
 */
import { execa } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BIN, flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const FLOW = `
version: 1
name: crash
steps:
  prep:
    run: sleep 0.1; seq 1 2000 > numbers.txt
    outputs: [numbers.txt]
  fan:
    needs: [prep]
    foreach: [1, 2, 3, 4, 5, 6]
    run: sleep 0.15; awk -v k=\${{ item }} '{ print $1 * k }' numbers.txt > scaled.txt
    outputs: [scaled.txt]
  join:
    needs: [fan]
    run: cat fan/*/scaled.txt | sort -n | uniq -c > summary.txt
    outputs: [summary.txt]
`;

/** Deterministic delays, so a failure can be replayed. */
function* delays(seed: number): Generator<number> {
  let x = seed;
  for (;;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    yield 50 + (x % 1200);
  }
}

test('20 random SIGINT/SIGKILL interruptions, each resumed, give byte-identical outputs', async () => {
  const dir = await makeProject({ 'flow.yaml': FLOW });
  const s = StoreReader.of(dir);
  const reference = await flowctl(['run', 'flow.yaml', '--no-cache'], { cwd: dir });
  expect(reference.exitCode).toBe(0);
  const want = (await s.task('crash', runIdFrom(reference), 'join')).outputs;

  const gen = delays(7);
  let resumed = 0;
  for (let trial = 0; trial < 20; trial++) {
    const idFile = path.join(dir, `id-${trial}.txt`);
    const child = execa('node', [BIN, 'run', 'flow.yaml', '--no-cache', '--run-id-file', idFile], {
      cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester' },
    });
    // Random moments of the run's life: counted from when its record exists, because start-up
    // time varies with machine load (a kill during start-up is tested by the early trials anyway).
    const delay = gen.next().value as number;
    if (trial >= 4) for (let i = 0; i < 500 && !existsSync(idFile) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, trial >= 4 ? delay : delay / 4));
    const signal = trial % 2 === 0 ? 'SIGINT' : 'SIGKILL';
    child.kill(signal);
    const killed = await child;
    // 130, or (killed during node's own start-up, before flowctl's code ran) death by the signal
    if (signal === 'SIGINT' && killed.exitCode !== 0) expect(killed.exitCode === 130 || killed.signal === 'SIGINT').toBe(true);

    // Killed before its record existed: nothing to resume, a new run is the answer.
    const id = existsSync(idFile) ? readFileSync(idFile, 'utf8').trim() : '';
    // --force: this test killed the run itself; a SIGKILLed run keeps a fresh heartbeat for 30 s.
    const next = id
      ? await flowctl(['resume', id, '--no-cache', '--force'], { cwd: dir })
      : await flowctl(['run', 'flow.yaml', '--no-cache'], { cwd: dir });
    if (id) resumed++;
    expect(next.stderr).not.toMatch(/\n\s+at /);
    expect(next.exitCode).toBe(0);
    const got = (await s.task('crash', runIdFrom(next), 'join')).outputs;
    expect(got).toEqual(want);
  }
  expect(resumed).toBeGreaterThanOrEqual(14);
  // no temp file of an interrupted write is left where readers look
  const { stdout } = await execa('find', [path.join(s.root, 'objects'), '-type', 'f', '-size', '0']);
  expect(stdout).toBe('');
}, 240000);
