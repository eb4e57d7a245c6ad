/** Params of every type, bad params, shell quoting of hostile values, secret masking. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';

const PARAMS_FLOW = `
version: 1
name: params
params:
  s: { type: string, default: "x" }
  n: { type: number, default: 1.5 }
  i: { type: integer, default: 2, minimum: 1, maximum: 10 }
  b: { type: boolean, default: false }
  l: { type: list, default: [1, 2] }
  o: { type: object, default: { k: v } }
  mode: { type: string, default: fast, enum: [fast, slow] }
steps:
  show:
    run: |
      echo "\${{ params.s }}|\${{ params.n }}|\${{ params.i }}|\${{ params.b }}|\${{ params.l }}|\${{ params.o }}" > p.txt
      echo "$FLOW_PARAM_S|$FLOW_PARAM_I|$FLOW_PARAM_L" >> p.txt
    outputs: [p.txt]
`;

describe('flowctl run: params', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeProject({ 'flow.yaml': PARAMS_FLOW });
  });

  test('defaults and overrides of every type reach the command and FLOW_PARAM_*', async () => {
    const r = await flowctl(
      ['run', 'flow.yaml', '-p', 's=hello world', '-p', 'n=-0.25', '-p', 'i=7', '-p', 'b=true', '-p', 'l=[3,"x"]', '-p', 'o={"a":1}'],
      { cwd: dir },
    );
    expect(r.exitCode).toBe(0);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    expect(await s.output('params', id, 'show', '0', 'p.txt')).toBe('hello world|-0.25|7|true|[3,"x"]|{"a":1}\nhello world|7|[3,"x"]\n');
    expect((await s.run('params', id)).params).toEqual({ s: 'hello world', n: -0.25, i: 7, b: true, l: [3, 'x'], o: { a: 1 }, mode: 'fast' });
  });

  test.each([
    [['i=abc'], /--param i=abc: expected an integer/],
    [['i=11'], /--param i=11: must be <= 10/],
    [['i=0'], /must be >= 1/],
    [['n=1e999'], /expected a number/],
    [['b=maybe'], /expected a boolean/],
    [['o=[1]'], /expected a JSON object/],
    [['mode=medium'], /must be one of "fast", "slow"/],
    [['nope=1'], /no param 'nope'/],
    [['novalue'], /expected name=value/],
  ])('bad --param %j exits 2 with a clear message', async (args, message) => {
    const r = await flowctl(['run', 'flow.yaml', ...args.flatMap((a) => ['--param', a])], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('a required param that is missing exits 2', async () => {
    const d = await makeProject({ 'flow.yaml': 'version: 1\nname: req\nparams:\n  x: { type: string }\nsteps:\n  a: { run: "true" }\n' });
    const r = await flowctl(['run', 'flow.yaml'], { cwd: d });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/param 'x' is required/);
  });
});

describe('flowctl run: shell quoting', () => {
  const hostile = [
    '$(touch pwned1)',
    '`touch pwned2`',
    '; touch pwned3; rm -rf ./keep',
    `it's "quoted" \\ back`,
    'line1\nline2; touch pwned4',
    '* ? [a]',
    '--flag=$HOME',
  ];

  test.each(hostile)('the value %j is passed literally and never executed', async (value) => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: quote
params:
  v: { type: string, default: "" }
steps:
  echo:
    run: printf '%s' \${{ params.v }} > v.txt; mkdir -p keep
    outputs: [v.txt]
  each:
    foreach: \${{ [params.v] }}
    run: printf '%s' \${{ item }} > w.txt
    outputs: [w.txt]
`,
      'keep/file': 'precious',
    });
    const r = await flowctl(['run', 'flow.yaml', '--param', `v=${value}`], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    expect(await s.output('quote', id, 'echo', '0', 'v.txt')).toBe(value);
    expect(await s.output('quote', id, 'each', '0', 'w.txt')).toBe(value);
    for (const f of ['pwned1', 'pwned2', 'pwned3', 'pwned4']) expect(existsSync(path.join(dir, f))).toBe(false);
    expect(await readFile(path.join(dir, 'keep/file'), 'utf8')).toBe('precious');
    const { stdout } = await execa('find', [s.root, '-name', 'pwned*']);
    expect(stdout).toBe('');
  });
});

describe('flowctl run: secrets', () => {
  test('secret params are masked in logs, events, records and progress, but the task gets the value', async () => {
    const dir = await makeProject({
      'flow.yaml': `
version: 1
name: sec
params:
  token: { type: string, secret: true, default: "" }
steps:
  use:
    run: 'echo "token is \${{ params.token }}"; echo "env $FLOW_PARAM_TOKEN" >&2; test "$(printf %s "$FLOW_PARAM_TOKEN" | wc -c)" -eq 12 && echo ok > ok.txt'
    outputs: [ok.txt]
`,
    });
    const r = await flowctl(['run', 'flow.yaml', '--param', 'token=s3cr3t-value', '--stream-logs'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(r.stderr + r.stdout).not.toContain('s3cr3t-value');
    expect(r.stderr).toContain('token is ***');
    const { stdout } = await execa('grep', ['-rl', 's3cr3t-value', path.join(dir, '.flowctl')], { reject: false });
    expect(stdout).toBe('');
    const s = StoreReader.of(dir);
    const id = runIdFrom(r);
    expect((await s.run('sec', id)).params.token).toBe('***');
    expect(await s.log('sec', id, 'use', '0', 1, 'stderr')).toBe('env ***\n');
  });
});
