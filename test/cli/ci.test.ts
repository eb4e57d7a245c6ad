/**
 * flowctl in CI: GitHub Actions workflow commands (annotations, log groups) and JUnit XML
 * reports, through the real CLI. The reports are parsed back with an XML parser.
 */
import { execa } from 'execa';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { BIN, flowctl, makeProject, runIdFrom } from '../helpers/cli.js';

const SECRET = 'hunter2-s3cr3t';

const FLOW = `
version: 1
name: ci
params:
  token: { type: string, secret: true }
steps:
  prepare:
    run: echo "preparing with $FLOW_PARAM_TOKEN"; echo done
  flaky:
    needs: [prepare]
    catch: true
    run: echo "flaky failed" >&2; exit 7
  fit:
    needs: [prepare, flaky]
    foreach: [1, 2, 3]
    run: |
      echo "fit \${{ item }}: 50%, then 100%"
      if [ \${{ item }} = 2 ]; then
        printf 'bad \\033[31mred\\033[0m \\001 & <tag> "q" token=%s\\n' "$FLOW_PARAM_TOKEN" >&2
        exit 3
      fi
  optional:
    needs: [prepare]
    if: \${{ false }}
    run: echo never
  report:
    needs: [fit]
    run: echo report
`;

const INVALID = `version: 1
name: broken
steps:
  a:
    run: echo hi
    needs: ['50%, really']
`;

const GH = { GITHUB_ACTIONS: 'true', CI: 'true' };

const xml = new XMLParser({
  ignoreAttributes: false, attributeNamePrefix: '', textNodeName: 'text', parseAttributeValue: false, parseTagValue: false, htmlEntities: true,
  isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
});

/** The report, checked to be well-formed XML, as { suites: [{ name, attrs, cases: [{ name, classname, time, failure?, error?, skipped? }] }] }. */
async function readReport(file: string): Promise<any> {
  const text = await readFile(file, 'utf8');
  expect(XMLValidator.validate(text)).toBe(true);
  expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  return xml.parse(text).testsuites;
}

function caseOf(report: any, name: string): any {
  return report.testsuite.flatMap((s: any) => s.testcase ?? []).find((c: any) => c.name === name);
}

/** `%XX` escapes of a workflow command undone. */
function unescape(s: string): string {
  return s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');
}

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('GitHub Actions annotations', () => {
  test('validate: an ::error per problem at its file, line and column, relative to the workspace', async () => {
    dir = await makeProject({ 'flows/bad, flow.yaml': INVALID, 'flows/ok.yaml': 'version: 1\nname: ok\nsteps:\n  a: { run: echo }\n' });
    const cwd = path.join(dir, 'flows');
    const plain = await flowctl(['validate', 'bad, flow.yaml', 'ok.yaml'], { cwd });
    const gh = await flowctl(['validate', 'bad, flow.yaml', 'ok.yaml'], { cwd, env: { ...GH, GITHUB_WORKSPACE: dir } });
    expect(gh.exitCode).toBe(2);
    expect(gh.stdout).toBe('ok ok.yaml');
    const annotations = gh.stderr.split('\n').filter((l) => l.startsWith('::'));
    const problems = plain.stderr.split('\n').filter((l) => l.startsWith('bad, flow.yaml:'));
    expect(annotations.length).toBe(problems.length);
    expect(annotations.length).toBeGreaterThan(0);
    const m = /^::error file=([^,]+),line=(\d+),col=(\d+),title=([^:]+)::(.*)$/.exec(annotations[0]!)!;
    expect(m).not.toBeNull();
    // properties escape `,` and `:`; the message keeps the usual text, newlines and `%` escaped
    expect(m[1]).toBe('flows/bad%2C flow.yaml');
    expect(problems[0]).toMatch(new RegExp(`^bad, flow\\.yaml:${m[2]}:${m[3]}: `));
    expect(unescape(m[4]!)).toMatch(/^flowctl: \S+$/);
    expect(m[5]).not.toMatch(/%(?!25|0A|0D)/);
    expect(unescape(m[5]!)).toBe(plain.stderr.split('\n').slice(0, unescape(m[5]!).split('\n').length).join('\n'));
    expect(gh.stderr).toMatch(/^\d+ problems? found$/m);
  });

  test('validate --json keeps stdout JSON and annotates on stderr; no annotations outside GitHub Actions', async () => {
    dir = await makeProject({ 'bad.yaml': INVALID });
    const gh = await flowctl(['validate', 'bad.yaml', '--json'], { cwd: dir, env: GH });
    expect(JSON.parse(gh.stdout)).toMatchObject({ valid: false });
    expect(gh.stderr).toMatch(/^::error file=bad\.yaml,line=6,col=\d+,title=/m);
    for (const env of [{}, { CI: 'true', GITHUB_ACTIONS: 'false' }]) {
      const r = await flowctl(['validate', 'bad.yaml'], { cwd: dir, env });
      expect(r.stderr).not.toMatch(/^::/m);
      expect(r.stderr).toMatch(/^bad\.yaml:6:\d+: /m);
    }
  });

  test('run: an invalid flow is annotated at its file:line:col', async () => {
    dir = await makeProject({ 'bad.yaml': INVALID });
    const r = await flowctl(['run', 'bad.yaml'], { cwd: dir, env: GH });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^::error file=bad\.yaml,line=6,col=\d+,title=flowctl%3A [a-z-]+::bad\.yaml:6:\d+: /m);
  });

  test('run: each task output in a ::group::, failed tasks as ::error with their last lines, no secret anywhere', async () => {
    dir = await makeProject({ 'ci.yaml': FLOW });
    const r = await flowctl(['run', 'ci.yaml', '-j', '1', '-p', `token=${SECRET}`, '--junit', 'report.xml'], { cwd: dir, env: GH });
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.split('\n');
    // groups: opened before a task's lines, closed before anything else, never nested
    let open: string | undefined;
    for (const l of lines) {
      if (l.startsWith('::group::')) {
        expect(open).toBeUndefined();
        open = l.slice('::group::'.length);
      } else if (l === '::endgroup::') {
        expect(open).toBeDefined();
        open = undefined;
      } else if (open !== undefined) {
        expect(l.startsWith(`${open} | `)).toBe(true);
      } else {
        expect(l).not.toMatch(/^\S+\/\d+ \| /);
      }
    }
    expect(open).toBeUndefined();
    expect(r.stderr).toContain('::group::prepare/0\nprepare/0 | preparing with ***\nprepare/0 | done\n::endgroup::\ntask prepare/0: succeeded');
    expect(r.stderr).toMatch(/^::group::fit\/0\nfit\/0 \| fit 1: 50%, then 100%\n::endgroup::$/m);
    const error = lines.find((l) => l.startsWith('::error title=flowctl%3A fit/1 failed::'))!;
    expect(error).toBeDefined();
    expect(unescape(error.split('::')[2]!)).toBe('task fit/1 failed: exit code 3\n  | fit 2: 50%, then 100%\n  | bad red  & <tag> "q" token=***');
    expect(error).toContain('50%25, then 100%25');
    expect(lines.find((l) => l.startsWith('::warning title=flowctl%3A flaky/0 failed::'))).toMatch(/task flaky\/0 failed \(caught\): exit code 7%0A {2}\| flaky failed$/);
    for (const text of [r.stdout, r.stderr, await readFile(path.join(dir, 'report.xml'), 'utf8')]) expect(text).not.toContain(SECRET);
  });

  test('plain output outside GitHub Actions has no workflow commands', async () => {
    dir = await makeProject({ 'ci.yaml': FLOW });
    const r = await flowctl(['run', 'ci.yaml', '-j', '1', '-p', 'token=plain-token-value', '--output', 'plain'], { cwd: dir, env: { CI: 'true' } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).not.toMatch(/^::/m);
  });
});

describe('run --junit', () => {
  test('a suite per step, a case per task; failures with reason and log tail; cached and skipped as skipped', async () => {
    // A report inside the project is project code unless ignored: it would re-run every step next time.
    dir = await makeProject({ 'ci.yaml': FLOW, '.flowctlignore': 'reports/\n' });
    const first = await flowctl(['run', 'ci.yaml', '-j', '1', '-p', 'token=plain-token-value', '--junit', 'reports/junit.xml'], { cwd: dir });
    expect(first.exitCode).toBe(1);
    const id = runIdFrom(first);
    const report = await readReport(path.join(dir, 'reports/junit.xml'));
    expect(report.name).toBe(`ci ${id}`);
    expect(report.testsuite.map((s: any) => s.name)).toEqual(['ci.prepare', 'ci.flaky', 'ci.fit', 'ci.optional', 'ci.report']);
    const fit = report.testsuite[2];
    // with one worker, fit/2 never started: the run stopped at fit/1's failure
    expect(fit).toMatchObject({ tests: '3', failures: '1', errors: '0', skipped: '1' });
    expect(fit.testcase.map((c: any) => [c.classname, c.name])).toEqual([['ci.fit', 'fit/0'], ['ci.fit', 'fit/1'], ['ci.fit', 'fit (1 more task)']]);
    expect(caseOf(report, 'fit (1 more task)').skipped.message).toBe('not run: the run failed before these tasks ran');
    for (const c of report.testsuite.flatMap((s: any) => s.testcase)) expect(c.time).toMatch(/^\d+\.\d{3}$/);
    expect(Number(caseOf(report, 'prepare/0').time)).toBeGreaterThan(0);
    const failed = caseOf(report, 'fit/1');
    expect(failed.failure).toMatchObject({ message: 'exit code 3', type: 'failed' });
    expect(failed.failure.text).toBe([
      'fit/1 failed: exit code 3', 'item: 2', 'last lines:', '  fit 2: 50%, then 100%', '  bad red  & <tag> "q" token=***',
      `logs: flowctl logs ci/${id}/fit/1`,
    ].join('\n'));
    expect(caseOf(report, 'optional/0').skipped.message).toBe('skipped: if: false was false');
    expect(caseOf(report, 'flaky/0').failure.message).toBe('(caught) exit code 7');
    // the run stopped at fit's failure: report never ran
    expect(caseOf(report, 'report').skipped.message).toBe('not run: the run failed before this step ran');
    expect(report).toMatchObject({ tests: '7', failures: '2', errors: '0', skipped: '3' });
    expect(Number(report.time)).toBeGreaterThan(0);

    // Again: what succeeded comes from the cache, reported as skipped with where it came from.
    await flowctl(['run', 'ci.yaml', '-j', '1', '-p', 'token=plain-token-value', '--junit', 'reports/junit.xml'], { cwd: dir });
    const again = await readReport(path.join(dir, 'reports/junit.xml'));
    expect(caseOf(again, 'prepare/0').skipped.message).toBe(`cached: reused the result of ${id}/prepare/0`);
    expect(caseOf(again, 'fit/1').failure).toBeDefined();
    expect(await readdir(path.join(dir, 'reports'))).toEqual(['junit.xml']);
  });

  test('resume --junit: cloned tasks are skipped as cached, the rest reported as run', async () => {
    dir = await makeProject({ 'ci.yaml': FLOW });
    const id = runIdFrom(await flowctl(['run', 'ci.yaml', '-j', '1', '-p', 'token=plain-token-value'], { cwd: dir }));
    const r = await flowctl(['resume', id, '-p', 'token=plain-token-value', '--junit', 'resumed.xml'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    const report = await readReport(path.join(dir, 'resumed.xml'));
    expect(caseOf(report, 'prepare/0').skipped.message).toBe(`cached: reused the result of ${id}/prepare/0`);
    expect(caseOf(report, 'fit/1').failure.message).toBe('exit code 3');
  });

  test('written when the run is interrupted: running tasks as errors, the rest not run', async () => {
    dir = await makeProject({
      'slow.yaml': 'version: 1\nname: slow\nsteps:\n  a: { run: echo quick }\n  b: { needs: [a], foreach: [1, 2], run: "echo started; sleep 30" }\n  c: { needs: [b], run: echo never }\n',
    });
    const child = execa('node', [BIN, 'run', 'slow.yaml', '-j', '2', '--output', 'plain', '--stream-logs', '--junit', 'j.xml'], {
      cwd: dir, reject: false, env: { FLOWCTL_USER: 'tester', GITHUB_ACTIONS: undefined }, stderr: 'pipe',
    });
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => (seen += d.toString()));
    for (let i = 0; i < 400 && (seen.match(/\| started/g) ?? []).length < 2; i++) await sleep(50);
    child.kill('SIGINT');
    const done = await child;
    expect(done.exitCode).toBe(130);
    const report = await readReport(path.join(dir, 'j.xml'));
    expect(caseOf(report, 'a/0').failure).toBeUndefined();
    for (const n of ['b/0', 'b/1']) expect(caseOf(report, n).error).toMatchObject({ type: 'interrupted', message: 'interrupted' });
    expect(caseOf(report, 'c').skipped.message).toBe('not run: the run was interrupted before this step ran');
    expect(await readdir(dir)).not.toContainEqual(expect.stringMatching(/\.tmp$/));
  });

  test('written when the run cannot start: one error case says why', async () => {
    dir = await makeProject({ 'bad.yaml': INVALID });
    const r = await flowctl(['run', 'bad.yaml', '--junit', 'out/j.xml'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    const report = await readReport(path.join(dir, 'out/j.xml'));
    const c = caseOf(report, 'start');
    expect(c).toMatchObject({ classname: 'flowctl', error: { type: 'FLOW_INVALID', message: expect.stringMatching(/^invalid flow: \d+ problems?$/) } });
    expect(c.error.text).toMatch(/^bad\.yaml:6:\d+: /);
  });

  test('--junit naming a directory is refused before the run starts', async () => {
    dir = await makeProject({ 'ci.yaml': FLOW, 'reports/.keep': '' });
    const r = await flowctl(['run', 'ci.yaml', '-p', 'token=plain-token-value', '--junit', 'reports'], { cwd: dir });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: --junit reports: is a directory; give a file path$/m);
    expect(r.stdout).toBe('');
  });
});
