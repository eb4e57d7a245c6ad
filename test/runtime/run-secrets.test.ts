/**
 * Secrets never leave: a multi-line secret printed in every way a program prints is masked
 * everywhere output goes (terminal, events, stored logs, `logs`, `logs -f`, the client API,
 * values, failure summaries, the live view), and a secret substituted into `run:` reaches
 * the shell through the environment, never a command line (`ps`, /proc/PID/cmdline).
 */
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { datastore, namespace, Run } from '../../src/index.js';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { startRun } from '../show/helpers.js';
import { flowctlInPty } from '../ui/terminal.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});
async function project(flow: string): Promise<string> {
  const dir = await makeProject({ 'flow.yaml': flow });
  dirs.push(dir);
  return dir;
}

/** Every file under `dir` (recursively) whose bytes contain one of `parts`, with the part found. */
async function filesHolding(dir: string, parts: string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    const text = await readFile(file, 'latin1');
    for (const p of parts) if (text.includes(Buffer.from(p).toString('latin1'))) hits.push(`${path.relative(dir, file)}: ${p}`);
  }
  return hits;
}
const leaked = (text: string, parts: string[]) => parts.filter((p) => text.includes(p));

// ---- 1. multi-line secrets in output ----

const SECRET = 'alpha-line-1111\nbravo-line-2222\ncharlie-line-3333';
/** Each line, and pieces of each line a partial mask would leave visible. */
const PARTS = ['alpha-line', 'bravo-line', 'charlie-line', '1111', '2222', '3333'];

const TALK = `
version: 1
name: leak
params:
  token: { type: string, secret: true, default: "" }
steps:
  talk:
    run: |
      # line by line, one write per line, in separate chunks
      printf '%s\\n' "$FLOW_PARAM_TOKEN" | while IFS= read -r l; do printf '%s\\n' "$l"; sleep 0.05; done
      # to stderr, with CRLF line endings
      printf '%s\\n' "$FLOW_PARAM_TOKEN" | while IFS= read -r l; do printf '%s\\r\\n' "$l"; done >&2
      # one line written in two pieces, the second after a pause
      first=$(printf '%s\\n' "$FLOW_PARAM_TOKEN" | head -n 1)
      printf 'first: %s' "\${first%????}"; sleep 0.2; printf '%s\\n' "\${first#"\${first%????}"}"
      # as values: one line, and the whole value as a JSON string (\\n escapes)
      printf 'note=%s\\n' "$(printf '%s\\n' "$FLOW_PARAM_TOKEN" | sed -n 2p)" >> "$FLOW_VALUES"
      printf 'whole=%s\\n' "$(node -e 'process.stdout.write(JSON.stringify(process.env.FLOW_PARAM_TOKEN))')" >> "$FLOW_VALUES"
      # the last output has no trailing newline
      printf 'last: %s' "$(printf '%s\\n' "$FLOW_PARAM_TOKEN" | tail -n 1)"
  fail:
    catch: true
    run: 'printf "%s\\n" "$FLOW_PARAM_TOKEN"; printf "%s" "$FLOW_PARAM_TOKEN" >&2; exit 3'
`;

describe('a multi-line secret printed line by line', () => {
  let dir: string;
  let id: string;
  let out: string;
  beforeAll(async () => {
    dir = await project(TALK);
    const r = await flowctl(['run', 'flow.yaml', '-p', `token=${SECRET}`, '--output', 'plain', '--stream-logs'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    id = runIdFrom(r);
    out = r.stdout + r.stderr;
  }, 60000);

  test('is masked line by line in the streamed output and the stored logs, however it was written', async () => {
    expect(leaked(out, PARTS)).toEqual([]);
    expect(out).toContain('talk/0 | first: ***');
    const s = StoreReader.of(dir);
    expect(await s.log('leak', id, 'talk', '0')).toBe('***\n***\n***\nfirst: ***\nlast: ***');
    expect(await s.log('leak', id, 'talk', '0', 1, 'stderr')).toBe('***\r\n***\r\n***\r\n');
    expect(await s.log('leak', id, 'fail', '0', 1, 'stderr')).not.toMatch(/alpha|bravo|charlie/);
  });

  test('no file of the store holds any line of it: records, values, events, logs', async () => {
    expect(await filesHolding(path.join(dir, '.flowctl'), PARTS)).toEqual([]);
    const task = await StoreReader.of(dir).task('leak', id, 'talk');
    expect(task.values).toEqual({ note: '***', whole: '***' });
    const events = await readFile(path.join(dir, `.flowctl/flows/leak/runs/${id}/events.ndjson`), 'utf8');
    expect(events).toContain('"line":"first: ***"');
  });

  test('flowctl logs, logs --follow and the client API print it masked', async () => {
    for (const args of [['logs', `${id}/talk`], ['logs', `${id}/talk`, '--stderr'], ['logs', `${id}/talk/0`, '-f'], ['logs', `${id}/fail`]]) {
      const r = await flowctl(args, { cwd: dir });
      expect(r.exitCode).toBe(0);
      expect(leaked(r.stdout + r.stderr, PARTS)).toEqual([]);
      expect(r.stdout).toContain('***');
    }
    namespace('user:tester');
    datastore(path.join(dir, '.flowctl'));
    try {
      const run = await Run.get(`leak/${id}`);
      const task = run.step('talk').task(0);
      const text = (await task.logs()) + (await task.logs({ stream: 'stderr' })) + JSON.stringify(await task.load());
      expect(leaked(text, PARTS)).toEqual([]);
      expect(text).toContain('last: ***');
    } finally {
      namespace(null);
      datastore(null);
    }
  });

  test('the failure summary (last lines) and --output json events show it masked', async () => {
    const plain = await flowctl(['run', 'flow.yaml', '-p', `token=${SECRET}`, '--output', 'plain', '--no-cache'], { cwd: dir });
    expect(plain.exitCode).toBe(0);
    expect(leaked(plain.stdout + plain.stderr, PARTS)).toEqual([]);
    expect(plain.stderr).toMatch(/fail\/0: failed \(caught\)[^\n]*\n(\s+\| \*\*\*\n){3}/);
    const json = await flowctl(['run', 'flow.yaml', '-p', `token=${SECRET}`, '--output', 'json', '--no-cache'], { cwd: dir });
    expect(json.exitCode).toBe(0);
    expect(leaked(json.stdout + json.stderr, PARTS)).toEqual([]);
    const finished = json.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((e) => e.type === 'task-finished' && e.step === 'fail');
    expect(finished.lastLines).toEqual(['***', '***', '***', '***']);
  }, 60000);

  test('logs --follow of a running task and the live view never show it', async () => {
    const { id: live, done } = await startRun(dir, 'flow.yaml', { FLOWCTL_PARAM_TOKEN: SECRET });
    const follow = await flowctl(['logs', `${live}/talk/0`, '--follow'], { cwd: dir });
    expect((await done).exitCode).toBe(0);
    expect(follow.exitCode).toBe(0);
    expect(follow.stdout).toBe('***\n***\n***\nfirst: ***\nlast: ***');

    const pty = await flowctlInPty(['run', 'flow.yaml', '--no-cache'], { cwd: dir, columns: 120, rows: 40, env: { FLOWCTL_PARAM_TOKEN: SECRET } });
    expect(pty.exitCode).toBe(0);
    expect(leaked(pty.raw, PARTS)).toEqual([]);
    expect(await filesHolding(path.join(dir, '.flowctl'), PARTS)).toEqual([]);
  }, 60000);
});

test('a secret straddling the cut of an over-long output line (1 MiB) stays whole and masked', async () => {
  const dir = await project(`
version: 1
name: long
params:
  token: { type: string, secret: true, default: "" }
steps:
  blob:
    run: node -e 'const z = "z".repeat(1048570); process.stdout.write(z + process.env.FLOW_PARAM_TOKEN + z + "\\n")'
`);
  const r = await flowctl(['run', 'flow.yaml', '-p', 'token=bravo-line-2222', '--output', 'plain'], { cwd: dir });
  expect(r.exitCode).toBe(0);
  const log = await StoreReader.of(dir).log('long', runIdFrom(r), 'blob', '0');
  expect(leaked(log, PARTS)).toEqual([]);
  expect(log).toBe(`${'z'.repeat(1048570)}***${'z'.repeat(1048570)}\n`);
}, 60000);

// ---- 2. no secret in any command line ----

/** Unique per test run: another process on the machine cannot hold it by chance. */
const MARK = randomBytes(6).toString('hex');
const TOKEN = `it's a "${MARK}" $HOME-value`;
const TOKENS = [`tok-one-${MARK}`, `tok-two-${MARK}`];

const ARGV = `
version: 1
name: argv
params:
  token: { type: string, secret: true, default: "" }
  tokens: { type: list, secret: true, default: [] }
  label: { type: string, default: plain-label }
steps:
  use:
    env: { TOKEN_ENV: "pre-\${{ params.token }}" }
    run: |
      tr '\\0' '\\n' < /proc/$$/cmdline > argv.txt
      tr '\\0' '\\n' < /proc/$PPID/cmdline > parent-argv.txt
      printf '%s|%s|%s|%s|%s\\n' \${{ params.token }} "in \${{ params.token + '-x' }} dq" 'in \${{ toJSON([params.label, params.token]) }} sq' "$TOKEN_ENV" \${{ params.label }} > got.txt
      sleep 1
    outputs: [argv.txt, parent-argv.txt, got.txt]
  fan:
    foreach: \${{ params.tokens }}
    run: |
      tr '\\0' '\\n' < /proc/$$/cmdline > argv.txt
      printf '%s|%s\\n' \${{ item }} "$FLOW_ITEM" > got.txt
      echo "item \${{ item }}"
    outputs: [argv.txt, got.txt]
`;

describe('a secret substituted into run:', () => {
  test('reaches the shell through the environment: no process shows it in its arguments, no record holds it', async () => {
    const dir = await project(ARGV);
    // Given through the environment, so not even flowctl's own command line holds it.
    const env = { FLOWCTL_PARAM_TOKEN: TOKEN, FLOWCTL_PARAM_TOKENS: JSON.stringify(TOKENS) };
    const { id, done } = await startRun(dir, 'flow.yaml', env);
    const seen = new Set<string>();
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      const ps = await execa('ps', ['-eo', 'args'], { reject: false });
      for (const line of String(ps.stdout).split('\n')) if (line.includes(MARK)) seen.add(line);
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await done;
    expect(r.exitCode).toBe(0);
    expect([...seen]).toEqual([]);

    const s = StoreReader.of(dir);
    const argv = await s.output('argv', id, 'use', '0', 'argv.txt');
    expect(argv).not.toContain(MARK);
    expect(argv).toContain('"$FLOW_SECRET_1"');
    expect(await s.output('argv', id, 'use', '0', 'parent-argv.txt')).not.toContain(MARK);
    // ...and the task still got and used the real values, each as one word
    const json = JSON.stringify(['plain-label', TOKEN]);
    expect(await s.output('argv', id, 'use', '0', 'got.txt')).toBe(`${TOKEN}|in ${TOKEN}-x dq|in ${json} sq|pre-${TOKEN}|plain-label\n`);
    for (const [i, tok] of TOKENS.entries()) {
      expect(await s.output('argv', id, 'fan', String(i), 'argv.txt')).not.toContain(tok);
      expect(await s.output('argv', id, 'fan', String(i), 'got.txt')).toBe(`${tok}|"${tok}"\n`);
      expect(await s.log('argv', id, 'fan', String(i))).toBe('item ***\n');
    }

    const use = await s.task('argv', id, 'use');
    expect(use.command).toContain(`printf '%s|%s|%s|%s|%s\\n' "$FLOW_SECRET_1" "in \${FLOW_SECRET_2} dq" 'in '"$FLOW_SECRET_3"' sq' "$TOKEN_ENV" plain-label`);
    expect((await s.tasks('argv', id, 'fan')).map((t) => [t.item, t.command.includes('"$FLOW_SECRET_1"')])).toEqual([['***', true], ['***', true]]);
    // Records, keys, events and logs: nothing but the task's own output files may hold a value.
    const store = path.join(dir, '.flowctl');
    const outputs = new Set([...(await s.tasks('argv', id, 'use')), ...(await s.tasks('argv', id, 'fan'))].flatMap((t) => t.outputs.map((o: any) => o.hash)));
    const hits = (await filesHolding(store, [MARK])).filter((h) => !outputs.has(path.basename(h.split(':')[0]!)));
    expect(hits).toEqual([]);
    const show = await flowctl(['show', `${id}/fan`], { cwd: dir });
    expect(show.stdout).toContain('***');
    expect(show.stdout + show.stderr).not.toContain(MARK);
  }, 60000);

  test('a bad FLOWCTL_PARAM_* value is a usage error that names the variable, never the secret', async () => {
    const dir = await project(ARGV);
    const r = await flowctl(['run', 'flow.yaml'], { cwd: dir, env: { FLOWCTL_PARAM_TOKENS: '[not json' } });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('FLOWCTL_PARAM_TOKENS=***: expected a JSON list');
    expect(r.stderr).not.toContain('not json');
  });
});

// ---- 3. error messages ----

const RANDOM = 'Zq9vX7mmKp2wQrT4nB';
const grams = (s: string, n: number) => Array.from({ length: s.length - n + 1 }, (_, i) => s.slice(i, i + n));

describe('an error about a secret value', () => {
  test('names no piece of it: render failures and foreach failures, in output, events and records', async () => {
    const dir = await project(`
version: 1
name: errs
params:
  token: { type: string, secret: true, default: "" }
steps:
  render:
    catch: true
    run: echo \${{ fromJSON(params.token) }}
  fan:
    catch: true
    foreach: \${{ fromJSON(params.token + '-more') }}
    run: echo \${{ item }}
  lookup:
    catch: true
    run: echo \${{ fromJSON('{"a":1}')[params.token] }}
`);
    const r = await flowctl(['run', 'flow.yaml', '-p', `token=${RANDOM}`, '--output', 'plain'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/render\/0: failed \(caught\)[^\n]*invalid JSON/);
    expect(leaked(r.stdout + r.stderr, grams(RANDOM, 6))).toEqual([]);
    expect(await filesHolding(path.join(dir, '.flowctl'), grams(RANDOM, 6))).toEqual([]);
    const id = runIdFrom(r);
    for (const step of ['render', 'fan', 'lookup']) expect((await StoreReader.of(dir).task('errs', id, step)).reason).toMatch(/\*\*\*/);
  }, 60000);
});

describe('a secret shorter than 4 characters', () => {
  test('is masked anyway, with a warning', async () => {
    const dir = await project(`
version: 1
name: short
params:
  pin: { type: string, secret: true, default: "" }
steps:
  say: { run: 'echo "pin $FLOW_PARAM_PIN"' }
`);
    const r = await flowctl(['run', 'flow.yaml', '-p', 'pin=q7', '--output', 'plain', '--stream-logs'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain("warning: secret param 'pin' is only 2 characters long");
    expect(r.stderr).toContain('say/0 | pin ***');
  });
});

// ---- 4. the inherited environment ----

describe('the environment a task inherits', () => {
  const TOKEN = 'inherit-secret-7c1d9e';
  const FLOW = `
version: 1
name: inherit
params:
  token: { type: string, secret: true, default: "" }
steps:
  blind:
    params: []
    run: |
      echo "param channel \${#FLOWCTL_PARAM_TOKEN}"
      echo "holder \${#AUTH_HEADER}"
      echo "flow param \${#FLOW_PARAM_TOKEN}"
      echo "plain \${PLAIN_SETTING:-missing}"
    outputs: []
  sighted:
    params: [token]
    run: echo "flow param \${#FLOW_PARAM_TOKEN} channel \${#FLOWCTL_PARAM_TOKEN}"
`;

  test('has neither FLOWCTL_PARAM_* nor a variable holding a secret, but keeps the rest', async () => {
    const dir = await project(FLOW);
    const env = { FLOWCTL_PARAM_TOKEN: TOKEN, AUTH_HEADER: `Bearer ${TOKEN}`, PLAIN_SETTING: 'kept' };
    const r = await flowctl(['run', 'flow.yaml', '--output', 'plain', '--stream-logs'], { cwd: dir, env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('blind/0 | param channel 0');
    expect(r.stderr).toContain('blind/0 | holder 0');
    expect(r.stderr).toContain('blind/0 | flow param 0');
    expect(r.stderr).toContain('blind/0 | plain kept');
    expect(r.stderr).toContain(`sighted/0 | flow param ${TOKEN.length} channel 0`);

    // Rotating the secret re-runs only the step that can read it.
    const again = await flowctl(['run', 'flow.yaml', '--output', 'json'], { cwd: dir, env: { ...env, FLOWCTL_PARAM_TOKEN: `${TOKEN}-2`, AUTH_HEADER: `Bearer ${TOKEN}-2` } });
    expect(again.exitCode).toBe(0);
    const done = again.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.type === 'task-finished');
    expect(Object.fromEntries(done.map((e) => [e.step, e.state]))).toEqual({ blind: 'cached', sighted: 'succeeded' });
  }, 60000);

  test('a secret shorter than 4 characters hides only a variable that is exactly it, not every value containing it', async () => {
    const dir = await project(FLOW);
    const env = { FLOWCTL_PARAM_TOKEN: 'q7', SAME: 'q7', PLAIN_SETTING: 'has-q7-inside' };
    const r = await flowctl(['run', 'flow.yaml', '--output', 'plain', '--stream-logs'], { cwd: dir, env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('blind/0 | plain has-***-inside'); // inherited (and masked in the log as always)
    const probe = await project(FLOW.replace('echo "plain \${PLAIN_SETTING:-missing}"', 'echo "same \${#SAME}"'));
    const p = await flowctl(['run', 'flow.yaml', '--output', 'plain', '--stream-logs'], { cwd: probe, env });
    expect(p.stderr).toContain('blind/0 | same 0');
  }, 60000);
});
