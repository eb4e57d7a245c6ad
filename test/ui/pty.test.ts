/**
 * End to end: the real CLI under a pseudo-terminal draws the live view; the same run piped
 * gets plain lines without a single escape sequence.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { BIN, makeProject, StoreReader } from '../helpers/cli.js';
import { childrenOf, CURSOR_SEQUENCE, flowctlInPty, screen, startFlowctlInPty } from './terminal.js';

const FLOW = `
version: 1
name: churn
steps:
  prepare:
    run: for i in 1 2 3 4 5 6; do echo "prepared chunk $i"; sleep 0.1; done
  split:
    needs: [prepare]
    run: echo "folds=[0,1,2,3,4,5]" >> "$FLOW_VALUES"
  per_fold:
    needs: [split]
    foreach: \${{ steps.split.values.folds }}
    steps:
      fit: { run: 'echo "fitting fold \${{ item }}"; sleep 0.3' }
      test: { needs: [fit], run: 'echo "testing"; sleep 0.1' }
  evaluate_models_on_the_holdout_set:
    needs: [per_fold]
    catch: true
    run: 'echo "scoring"; echo "${'x'.repeat(150)} this failure line is far wider than any terminal" >&2; exit 4'
  report:
    needs: [evaluate_models_on_the_holdout_set]
    run: echo "writing the report"; sleep 2
`;
const STEPS = ['prepare', 'split', 'per_fold', 'fit', 'test', 'evaluate_models_on_the_holdout_set', 'report'];

describe('flowctl run on a terminal', () => {
  // a fresh project per test: nothing cached, every task really runs
  let dir: string;
  beforeEach(async () => {
    dir = await makeProject({ 'flow.yaml': FLOW });
  });

  test('draws the live view: every step, fan-out progress, and the final summary', async () => {
    const { raw, exitCode } = await flowctlInPty(['run', 'flow.yaml', '-j', '2'], { cwd: dir, columns: 100, rows: 30 });
    expect({ exitCode, screen: screen(raw).slice(-25) }).toMatchObject({ exitCode: 0 });
    // it really was drawn live: cursor movement and several frames
    expect(raw).toMatch(CURSOR_SEQUENCE);
    expect(raw.split('\x1b[?2026h').length).toBeGreaterThan(2);

    const lines = screen(raw);
    const text = lines.join('\n');
    for (const s of STEPS) expect(text).toContain(s);
    expect(text).toMatch(/✔ per_fold +\S+ +█+ 12\/12/);
    expect(text).toMatch(/✖ evaluate_models_on_the_holdout_set +\S+ +failed \(caught\)/);
    expect(text).toMatch(/✔ run succeeded with 1 caught failure in \S+ · 16 tasks: 15 succeeded, 1 failed/);
    expect(text).toMatch(/show +flowctl show \S+/);
    // the run id is the last line (stdout), after the view
    const runId = lines.filter(Boolean).at(-1)!;
    expect(runId).toMatch(/^\d{8}T\S+$/);
    expect((await StoreReader.of(dir).run('churn', runId)).state).toBe('succeeded');
    // the live frames showed running tasks and their output along the way (report runs for
    // 2 s, long after the view is up even on a busy machine)
    expect(raw).toMatch(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
    expect(raw).toContain('│ writing the report');
    // the cursor is visible again at the end
    expect(raw.lastIndexOf('\x1b[?25h')).toBeGreaterThan(raw.lastIndexOf('\x1b[?25l'));
  });

  test('at 60 columns the final frame stays within the width', async () => {
    const { raw, exitCode } = await flowctlInPty(['run', 'flow.yaml', '-j', '2'], { cwd: dir, columns: 60, rows: 24 });
    expect({ exitCode, screen: screen(raw).slice(-25) }).toMatchObject({ exitCode: 0 });
    const lines = screen(raw).filter(Boolean);
    const summary = lines.findIndex((l) => l.includes('run succeeded'));
    const frame = lines.slice(lines.findIndex((l) => l.startsWith('churn · run')), -1);
    expect(summary).toBeGreaterThan(0);
    expect(frame.length).toBeGreaterThan(8);
    for (const l of frame) expect([...l].length).toBeLessThanOrEqual(60);
    for (const s of STEPS) expect(frame.join('\n')).toContain(s.slice(0, 20));
  });

  test('CI=true on a terminal prints plain lines', async () => {
    const { raw, exitCode } = await flowctlInPty(['run', 'flow.yaml', '-j', '2'], { cwd: dir, columns: 100, rows: 30, env: { CI: 'true' } });
    expect({ exitCode, tail: raw.slice(-3000) }).toMatchObject({ exitCode: 0 });
    expect(raw).not.toMatch(CURSOR_SEQUENCE);
    expect(raw).toContain('step per_fold.fit: succeeded');
  });

  test('piped to a file: plain lines, no escape sequence at all', async () => {
    const out = path.join(dir, 'progress.txt');
    const r = await execa('sh', ['-c', `node '${BIN}' run flow.yaml -j 2 > '${out}' 2>&1`], {
      cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester', CI: undefined, TERM: 'xterm-256color' },
    });
    expect(r.exitCode).toBe(0);
    const text = await readFile(out, 'utf8');
    expect(text).not.toContain('\x1b');
    for (const s of STEPS) expect(text).toContain(s);
    expect(text).toMatch(/^run \S+: succeeded with 1 caught failure/m);
    // prepare ran alone, so its output was streamed; parallel fits were not
    expect(text).toContain('prepare/0 | prepared chunk 3');
    expect(text).not.toContain('fitting fold');
  });
});

describe('when the view process dies', () => {
  test('the run goes on and reports in plain lines', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: sturdy
steps:
  first: { run: 'echo one; sleep 3' }
  second: { needs: [first], run: echo two }
`,
    });
    const run = startFlowctlInPty(['run', 'flow.yaml'], { cwd: dir, columns: 80, rows: 24 });
    // script → flowctl → the view process (the one running dist/ui/live/process.bundle.js)
    const view = await waitFor(async () => {
      const [flowctl] = (await childrenOf(run.pid)).filter((p) => p.args.includes(BIN));
      if (!flowctl) return undefined;
      return (await childrenOf(flowctl.pid)).find((p) => p.args.endsWith('/dist/ui/live/process.bundle.js'))?.pid;
    });
    process.kill(view, 'SIGKILL');
    const { raw, exitCode } = await run.done;
    expect(exitCode).toBe(0);
    expect(raw).toContain('warning: the live view stopped (killed by SIGKILL); progress continues as plain lines');
    expect(raw).toMatch(/task second\/0: succeeded/);
    expect(raw).toMatch(/run \S+: succeeded/);
  });
});

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}
