/** Context-aware quoting of values in `run:`, proven by running the result under sh. */
import { execa } from 'execa';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseTemplate } from '../../src/spec/expr/index.js';
import { advance, renderShellCommand } from '../../src/graph/render-command.js';
import { makeMasker } from '../../src/task/mask.js';
import { SecretEnv } from '../../src/graph/secret-env.js';
import { tempDir } from '../helpers/tmp.js';

const ctx = (v: unknown) => ({ params: { v }, steps: {}, run: { id: 'r', flow: 'f' } });

const hostile = ['plain', "it's", 'say "hi"', '$(touch pwned)', '`touch pwned`', 'a\\b', '$HOME', 'x\ny; touch pwned', '*', "'; touch pwned; '"];

describe('renderShellCommand', () => {
  test.each([
    ['plain', "printf '%s' ${{ params.v }}"],
    ['double quotes', 'printf \'%s\' "<${{ params.v }}>"'],
    ['single quotes', "printf '%s' '<${{ params.v }}>'"],
  ])('in %s every hostile value arrives literally', async (_ctx, template) => {
    const dir = await tempDir('render-');
    for (const v of hostile) {
      const cmd = renderShellCommand(parseTemplate(template), ctx(v));
      const { stdout } = await execa('sh', ['-c', cmd], { cwd: dir, stripFinalNewline: false });
      expect(stdout).toBe(template.includes('<') ? `<${v}>` : v);
    }
    expect(await readdir(dir)).toEqual([]);
  });

  test('numbers inside double quotes render bare', () => {
    expect(renderShellCommand(parseTemplate('echo "fold ${{ params.v }}"'), ctx(3))).toBe('echo "fold 3"');
    expect(renderShellCommand(parseTemplate('echo ${{ params.v }}'), ctx('a b'))).toBe("echo 'a b'");
  });

  test('the quote state follows escapes and nesting', () => {
    expect(advance('plain', `echo "it's`)).toBe('double');
    expect(advance('plain', `echo 'say "`)).toBe('single');
    expect(advance('plain', `echo \\"`)).toBe('plain');
    expect(advance('plain', `echo "a\\"b`)).toBe('double');
    expect(advance('plain', `echo 'a' "b" `)).toBe('plain');
  });

  describe('secrets become environment references', () => {
    const contexts = [
      ['plain', "printf '%s' ${{ params.v }}", (v: string) => v],
      ['double quotes', 'printf \'%s\' "<${{ params.v }}>"', (v: string) => `<${v}>`],
      ['single quotes', "printf '%s' '<${{ params.v }}>'", (v: string) => `<${v}>`],
    ] as const;

    test.each(contexts)('in %s the value arrives literally from the env, and the command holds only the reference', async (_c, template, expected) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'render-'));
      for (const v of [...hostile, 'multi\nline\r\nsecret value']) {
        const secrets = new SecretEnv({ params: new Set(['v']), contains: () => false }, new Set());
        const cmd = renderShellCommand(parseTemplate(template), ctx(v), secrets);
        expect(cmd).toContain('FLOW_SECRET_1');
        if (v.length > 1) expect(cmd).not.toContain(v);
        const { stdout } = await execa('sh', ['-c', cmd], { cwd: dir, env: secrets.vars, stripFinalNewline: false });
        expect(stdout).toBe(expected(v));
      }
      expect(await readdir(dir)).toEqual([]);
      await rm(dir, { recursive: true });
    });

    test('any expression that reads a secret param, and any value holding a secret, is a reference; others stay inline', () => {
      const params = { token: 's3cr3t-value', name: 'bob', list: ['s3cr3t-value', 'b'] };
      const m = makeMasker([params.token]);
      const env = () => new SecretEnv({ params: new Set(['token']), contains: m.contains }, new Set(['FLOW_SECRET_1']));
      const render = (t: string, item?: unknown) => {
        const e = env();
        const cmd = renderShellCommand(parseTemplate(t), { params, steps: {}, item, items: item === undefined ? undefined : [item], run: { id: 'r', flow: 'f' } }, e);
        return { cmd, vars: e.vars };
      };
      expect(render('x ${{ params.token }} ${{ params.name }}')).toEqual({ cmd: "x \"$FLOW_SECRET_2\" bob", vars: { FLOW_SECRET_2: 's3cr3t-value' } });
      expect(render("x ${{ params.token + '-x' }} ${{ len(params.token) }}").vars).toEqual({ FLOW_SECRET_2: 's3cr3t-value-x', FLOW_SECRET_3: '12' });
      expect(render('x ${{ toJSON(params) }}').cmd).toBe('x "$FLOW_SECRET_2"');
      expect(render('x ${{ params.list[0] }} ${{ item }}', 'has s3cr3t-value inside').cmd).toBe('x "$FLOW_SECRET_2" "$FLOW_SECRET_3"');
      // the same value twice is one variable
      expect(render('a ${{ params.token }} "${{ params.token }}"')).toEqual({ cmd: 'a "$FLOW_SECRET_2" "${FLOW_SECRET_2}"', vars: { FLOW_SECRET_2: 's3cr3t-value' } });
    });
  });
});
