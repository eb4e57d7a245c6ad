/** Context-aware quoting of values in `run:`, proven by running the result under sh. */
import { execa } from 'execa';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { parseTemplate } from '../../src/spec/expr/index.js';
import { advance, renderShellCommand } from '../../src/runtime/render-command.js';
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
});
