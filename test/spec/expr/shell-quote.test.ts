import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { shellQuote } from '../../../src/spec/expr/index.js';
import { tempDirSync } from '../../helpers/tmp.js';

describe('shellQuote', () => {
  it('leaves safe words alone', () => {
    for (const s of ['3', 'abc', 'model.json', 'a/b-c_d', 'k=v', 'user@host:/p', '50%', '+1', '-rf', 'a,b']) {
      expect(shellQuote(s)).toBe(s);
    }
  });

  it('single-quotes everything else and escapes single quotes', () => {
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("'")).toBe("''\\'''");
    expect(shellQuote('$(touch pwned)')).toBe("'$(touch pwned)'");
    expect(shellQuote('~')).toBe("'~'");
  });

  it('refuses a NUL byte, which sh would silently truncate', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL byte/);
  });
});

describe('shellQuote under a real sh', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDirSync('flowctl-quote-');
    // Files for a glob to expand to, if quoting failed.
    writeFileSync(join(dir, 'a.txt'), '');
    writeFileSync(join(dir, 'b.txt'), '');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const hostile = [
    '$(touch pwned)',
    '`touch pwned`',
    '; touch pwned',
    '; rm -rf /',
    '&& touch pwned',
    '| touch pwned',
    '> pwned',
    "'; touch pwned; '",
    '"; touch pwned; "',
    "it's \"quoted\"",
    "'",
    "'''",
    '"',
    'line1\nline2\n; touch pwned',
    '\n',
    '\ttab\r\n',
    '*',
    '*.txt',
    '?.txt',
    '[ab].txt',
    '{a,b}.txt',
    '~',
    '~/x',
    '$HOME ${HOME} $1 $@ $$',
    '\\',
    '\\n \\$ \\\\ \\\'',
    '!! #not a comment',
    '-n',
    '--help',
    'a b  c',
    ' leading and trailing ',
    'héllo wörld 😀',
    '',
    'x'.repeat(5000) + "'$(touch pwned)'",
  ];

  const shells = ['sh', 'bash'].filter((s) => {
    try {
      execFileSync(s, ['-c', 'true']);
      return true;
    } catch {
      return false;
    }
  });

  it('finds at least sh to test with', () => {
    expect(shells).toContain('sh');
  });

  it.each(hostile.map((s) => [JSON.stringify(s).slice(0, 60), s]))('printf %s under every shell gives back %s byte-for-byte', (_label, s) => {
    for (const shell of shells) {
      const out = execFileSync(shell, ['-c', `printf '%s' ${shellQuote(s)}`], { cwd: dir });
      expect(out.equals(Buffer.from(s, 'utf8'))).toBe(true);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(readdirSync(dir).sort()).toEqual(['a.txt', 'b.txt']);
    }
  });

  // dash's echo interprets backslash escapes itself, so echo is only byte-exact for strings without '\'.
  it.each(hostile.filter((s) => !s.includes('\\')).map((s) => [JSON.stringify(s).slice(0, 60), s]))('sh -c "echo " + quoted prints %s', (_label, s) => {
    const out = execFileSync('sh', ['-c', 'echo ' + shellQuote(s)], { cwd: dir });
    // `echo -n` is the one string echo itself treats as an option.
    if (s !== '-n') expect(out.equals(Buffer.from(s + '\n', 'utf8'))).toBe(true);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });

  it('keeps each value one word, however many spaces it has', () => {
    const args = ['a b', '', '*', 'c'].map(shellQuote).join(' ');
    const out = execFileSync('sh', ['-c', `printf '[%s]' ${args}`], { cwd: dir }).toString();
    expect(out).toBe('[a b][][*][c]');
  });

  it('is needed: the same strings unquoted do run commands', () => {
    execFileSync('sh', ['-c', 'echo $(touch pwned)'], { cwd: dir });
    expect(existsSync(join(dir, 'pwned'))).toBe(true);
  });
});
