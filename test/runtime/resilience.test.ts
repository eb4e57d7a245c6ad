/** Retries with backoff, timeouts that end whole process trees, and Ctrl-C. */
import { execa } from 'execa';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { BIN, flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

async function processesMatching(marker: string): Promise<string[]> {
  const { stdout } = await execa('ps', ['-eo', 'pid,stat,args'], { reject: false });
  return stdout.split('\n').filter((l) => l.includes(marker) && !/\sZ/.test(l) && !l.includes('ps -eo'));
}

describe('retry, timeout, interrupt', () => {
  test('a step that fails twice then succeeds passes with retries; each attempt keeps its record and logs; delays back off', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: retry
steps:
  flaky:
    run: |
      n=$(cat "$TMPDIR_COUNTER/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$TMPDIR_COUNTER/count"
      echo "attempt $FLOW_ATTEMPT"
      [ $n -ge 3 ] || { echo "not yet" >&2; exit 1; }
      echo done > out.txt
    outputs: [out.txt]
    retry: { attempts: 4, delay: 300ms, backoff: exponential }
`,
    });
    const counterDir = await makeProject({});
    const r = await flowctl(['run', 'flow.yaml'], { cwd: dir, env: { TMPDIR_COUNTER: counterDir } });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/attempt 1 failed: exit code 1; retrying in 300ms/);
    expect(r.stderr).toMatch(/attempt 2 failed: exit code 1; retrying in 600ms/);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    const t = await s.task('retry', id, 'flaky');
    expect(t).toMatchObject({ state: 'succeeded', attempts: 3 });
    const attempts = await Promise.all([1, 2, 3].map((n) => s.json(`flows/retry/runs/${id}/steps/flaky/tasks/0/attempts/${n}/attempt.json`)));
    expect(attempts.map((a) => a.state)).toEqual(['failed', 'failed', 'succeeded']);
    for (const n of [1, 2, 3]) expect(await s.log('retry', id, 'flaky', '0', n)).toBe(`attempt ${n}\n`);
    expect(await s.log('retry', id, 'flaky', '0', 1, 'stderr')).toBe('not yet\n');
    const gap = (a: any, b: any) => Date.parse(b.startedAt) - Date.parse(a.finishedAt);
    expect(gap(attempts[0], attempts[1])).toBeGreaterThanOrEqual(290);
    expect(gap(attempts[1], attempts[2])).toBeGreaterThanOrEqual(590);
  });

  test('timeout ends the whole process tree; the attempt is recorded as timeout and retried', async () => {
    const marker = `sleep 1000.${process.pid}1`;
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: hung
steps:
  hang:
    run: sh -c '${marker} & ${marker}'
    timeout: 1s
    retry: 1
`,
    });
    const started = Date.now();
    const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    expect(Date.now() - started).toBeLessThan(20000);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    const a1 = await s.json(`flows/hung/runs/${id}/steps/hang/tasks/0/attempts/1/attempt.json`);
    expect(a1.state).toBe('timeout');
    expect(a1.reason).toMatch(/timed out after 1s/);
    expect((await s.task('hung', id, 'hang')).attempts).toBe(2);
    expect(await processesMatching(marker)).toEqual([]);
  });

  test('Ctrl-C ends every task tree, records the run as interrupted, exits 130, and resume finishes it', async () => {
    const marker = `sleep 1000.${process.pid}2`;
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: intr
steps:
  quick: { run: echo q > q.txt, outputs: [q.txt] }
  slow:
    needs: [quick]
    foreach: [1, 2]
    run: if [ -e "$RESUME_OK" ]; then echo fine > s.txt; else ${marker}; fi
    outputs: [s.txt]
`,
    });
    const okFlag = path.join(dir, 'ok-flag');
    const child = execa('node', [BIN, 'run', 'flow.yaml', '--run-id-file', 'id.txt'], { cwd: dir, reject: false, env: { RESUME_OK: okFlag, FLOWCTL_USER: 'tester' } });
    for (let i = 0; i < 100 && (await processesMatching(marker)).length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await processesMatching(marker)).length).toBeGreaterThanOrEqual(2);
    const t0 = Date.now();
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(await processesMatching(marker)).toEqual([]);
    const s = StoreReader.of(dir);
    const id = (await import('node:fs')).readFileSync(path.join(dir, 'id.txt'), 'utf8').trim();
    expect((await s.run('intr', id)).state).toBe('interrupted');

    await execa('touch', [okFlag]);
    const res = await flowctl(['resume', id], { cwd: dir, env: { RESUME_OK: okFlag } });
    expect(res.exitCode).toBe(0);
    const rid = runIdFrom(res);
    expect((await s.run('intr', rid)).originRunId).toBe(id);
    expect(await s.task('intr', rid, 'quick')).toMatchObject({ state: 'cached', reuse: 'resume' });
    expect((await s.tasks('intr', rid, 'slow')).map((t) => t.state)).toEqual(['succeeded', 'succeeded']);
    expect(await readdir(path.join(s.root, `flows/intr/runs/${rid}/steps/quick/tasks/0`))).not.toContain('attempts');
  }, 60000);
});
