import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalProcessRunner } from '../../src/executors/local-process.js';
import { marker, processesMatching, request, tempDir } from './helpers.js';

const executor = new LocalProcessRunner({ graceMs: 1000 });
const mask = (s: string): string => s.replaceAll('hunter2', '***');

let dir: string;
let cleanup: () => void;
beforeEach(() => ({ dir, cleanup } = tempDir()));
afterEach(() => cleanup());

describe('LocalProcessRunner: output and exit', () => {
  test('a succeeding command: stdout/stderr in their files (parent dirs created) and in onLog', async () => {
    const { req, log } = request(dir, 'echo out1; echo err1 >&2; echo "$PWD"; echo "$GREETING $HOME"');
    req.env = { GREETING: 'hello' };
    const r = await executor.run(req);
    expect(r).toMatchObject({ state: 'succeeded', exitCode: 0, signal: null });
    expect(r.reason).toBeUndefined();
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(r.finishedAt)).toBeGreaterThanOrEqual(Date.parse(r.startedAt));
    const expectedOut = `out1\n${dir}\nhello ${process.env.HOME}\n`;
    expect(readFileSync(req.stdoutPath, 'utf8')).toBe(expectedOut);
    expect(readFileSync(req.stderrPath, 'utf8')).toBe('err1\n');
    expect(log.out()).toEqual(expectedOut.trimEnd().split('\n'));
    expect(log.err()).toEqual(['err1']);
  });

  test('a non-zero exit fails with "exit code N" and keeps the output', async () => {
    const { req } = request(dir, 'echo before; exit 3');
    const r = await executor.run(req);
    expect(r).toMatchObject({ state: 'failed', exitCode: 3, signal: null, reason: 'exit code 3' });
    expect(readFileSync(req.stdoutPath, 'utf8')).toBe('before\n');
  });

  test('a command killed by a signal fails with "killed by SIGNAL"', async () => {
    const { req } = request(dir, 'kill -KILL $$');
    const r = await executor.run(req);
    expect(r).toMatchObject({ state: 'failed', exitCode: null, signal: 'SIGKILL', reason: 'killed by SIGKILL' });
  });

  test('a secret is masked in both log files and in onLog', async () => {
    const { req, log } = request(dir, 'echo "token=hunter2 ok"; echo "hunter2" >&2; printf "tail hunter2"', { mask });
    const r = await executor.run(req);
    expect(r.state).toBe('succeeded');
    expect(readFileSync(req.stdoutPath, 'utf8')).toBe('token=*** ok\ntail ***');
    expect(readFileSync(req.stderrPath, 'utf8')).toBe('***\n');
    expect(log.out()).toEqual(['token=*** ok', 'tail ***']);
    expect(log.err()).toEqual(['***']);
    expect(JSON.stringify(log.lines)).not.toContain('hunter2');
  });

  test('a final line without newline reaches the file unchanged and onLog as a line', async () => {
    const { req, log } = request(dir, "printf 'a\\nlast'; printf 'e1\\ne2' >&2");
    await executor.run(req);
    expect(readFileSync(req.stdoutPath, 'utf8')).toBe('a\nlast');
    expect(readFileSync(req.stderrPath, 'utf8')).toBe('e1\ne2');
    expect(log.out()).toEqual(['a', 'last']);
    expect(log.err()).toEqual(['e1', 'e2']);
  });

  test('10 MB of binary output is preserved byte for byte (with masking on)', async () => {
    const { req, log } = request(dir, 'head -c 10485760 /dev/urandom > blob.bin && cat blob.bin', { mask });
    const r = await executor.run(req);
    expect(r.state).toBe('succeeded');
    const blob = readFileSync(join(dir, 'blob.bin'));
    const got = readFileSync(req.stdoutPath);
    expect(got.length).toBe(10 * 1024 * 1024);
    expect(got.equals(blob)).toBe(true);
    expect(log.out().length).toBeGreaterThan(1000); // random bytes hold a newline every ~256 bytes
  });

  test('10 MB of text with a secret on every line is masked exactly, lines intact', async () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i} key=hunter2 ünïcødé ${'x'.repeat(i % 40)}`);
    const text = `${lines.join('\n')}\n`;
    writeFileSync(join(dir, 'in.txt'), text);
    const { req, log } = request(dir, 'cat in.txt', { mask });
    await executor.run(req);
    expect(readFileSync(req.stdoutPath, 'utf8')).toBe(mask(text));
    expect(log.out()).toHaveLength(200_000);
    expect(log.out()[199_999]).toBe(mask(lines[199_999]!));
  });

  test('a 5 MB line without newline goes whole to the file, truncated to onLog', async () => {
    const { req, log } = request(dir, "head -c 5000000 /dev/zero | tr '\\0' x", { mask });
    await executor.run(req);
    expect(readFileSync(req.stdoutPath, 'utf8')).toBe('x'.repeat(5_000_000));
    expect(log.out()).toHaveLength(1);
    expect(log.out()[0]!.length).toBeLessThan(70 * 1024);
    expect(log.out()[0]).toMatch(/^x+… \[line truncated\]$/);
  });

  test('shell: bash runs bash syntax', async () => {
    const { req, log } = request(dir, 'echo "${BASH_VERSION:+is-bash}"; [[ 2 -gt 1 ]] && echo ok', { shell: 'bash' });
    const r = await executor.run(req);
    expect(r.state).toBe('succeeded');
    expect(log.out()).toEqual(['is-bash', 'ok']);
  });

  test('shell: bash missing on PATH fails with "bash not found" and a hint', async () => {
    const { req } = request(dir, 'echo hi', { shell: 'bash', env: { PATH: dir } });
    const r = await executor.run(req);
    expect(r).toMatchObject({ state: 'failed', exitCode: null, reason: 'could not start: bash not found on PATH (shell: bash); install it, or use shell: sh' });
  });

  test('a missing working directory fails with a clear reason, and the log files exist', async () => {
    const { req } = request(dir, 'echo hi', { cwd: join(dir, 'nope') });
    const r = await executor.run(req);
    expect(r).toMatchObject({ state: 'failed', exitCode: null, signal: null });
    expect(r.reason).toBe(`could not start: working directory ${join(dir, 'nope')} does not exist`);
    expect(readFileSync(req.stdoutPath, 'utf8')).toBe('');
  });

  test('a log file that cannot be created fails the attempt without running it', async () => {
    writeFileSync(join(dir, 'file'), '');
    const { req } = request(dir, 'touch ran', { stdoutPath: join(dir, 'file', 'stdout') });
    const r = await executor.run(req);
    expect(r.state).toBe('failed');
    expect(r.reason).toMatch(/^could not start: cannot open log file: E[A-Z]+: .*\/file/);
    expect(() => readFileSync(join(dir, 'ran'))).toThrow();
  });

  test('a throwing mask rejects the attempt (a flowctl bug) and still ends the process', async () => {
    const sleeper = `sleep ${marker(1009)}`;
    const { req } = request(dir, `echo x; exec ${sleeper}`, {
      mask: () => {
        throw new Error('mask bug');
      },
    });
    const started = Date.now();
    await expect(executor.run(req)).rejects.toThrow('mask bug');
    expect(Date.now() - started).toBeLessThan(5000);
    expect(processesMatching(sleeper)).toEqual([]);
  });
});
