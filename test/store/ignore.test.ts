import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { IgnoreMatcher } from '../../src/store/ignore.js';
import { tempDir } from './helpers.js';

const m = (text: string) => new IgnoreMatcher().add(text);

test.each([
  // pattern, path, isDir, ignored
  ['*.log', 'a.log', false, true],
  ['*.log', 'deep/dir/a.log', false, true],
  ['*.log', 'a.log.txt', false, false],
  ['# comment\n\n*.tmp', 'x.tmp', false, true],
  ['# *.tmp', '# *.tmp', false, false],
  ['\\#hash', '#hash', false, true],
  ['/build', 'build', true, true],
  ['/build', 'src/build', true, false],
  ['build/', 'build', true, true],
  ['build/', 'build', false, false],
  ['build/', 'src/build', true, true],
  ['doc/*.txt', 'doc/a.txt', false, true],
  ['doc/*.txt', 'doc/x/a.txt', false, false],
  ['doc/*.txt', 'other/doc/a.txt', false, false],
  ['**/logs', 'logs', true, true],
  ['**/logs', 'a/b/logs', true, true],
  ['**/logs/debug.log', 'x/logs/debug.log', false, true],
  ['logs/**', 'logs/a/b.txt', false, true],
  ['logs/**', 'logs', true, false],
  ['a/**/b', 'a/b', false, true],
  ['a/**/b', 'a/x/y/b', false, true],
  ['a/**/b', 'c/a/x/b', false, false],
  ['file?.txt', 'file1.txt', false, true],
  ['file?.txt', 'file10.txt', false, false],
  ['file[0-9].txt', 'file7.txt', false, true],
  ['file[!0-9].txt', 'file7.txt', false, false],
  ['file[!0-9].txt', 'fileA.txt', false, true],
  ['*.csv\n!keep.csv', 'data/keep.csv', false, false],
  ['*.csv\n!keep.csv', 'data/other.csv', false, true],
  ['!keep.csv\n*.csv', 'keep.csv', false, true],
  ['trailing.txt   ', 'trailing.txt', false, true],
  ['*', 'anything/at/all', false, true],
  ['data', 'data', false, true],
  ['data', 'src/data', true, true],
  ['.env*', '.env.local', false, true],
])('%j matches %s (dir: %s) -> %s', (pattern, path, isDir, expected) => {
  expect(m(pattern).ignores(path, isDir)).toBe(expected);
});

test('a file under an ignored directory stays ignored even if negated (git semantics)', () => {
  const ig = m('data/\n!data/keep.csv');
  expect(ig.ignores('data/keep.csv')).toBe(true);
  expect(m('data/*\n!data/keep.csv').ignores('data/keep.csv')).toBe(false);
});

test('rules of a nested ignore file apply only below its directory, and win over the parent', () => {
  const ig = new IgnoreMatcher().add('*.bin').add('!model.bin\n/local.txt', 'pkg');
  expect(ig.ignores('pkg/model.bin')).toBe(false);
  expect(ig.ignores('model.bin')).toBe(true);
  expect(ig.ignores('pkg/local.txt')).toBe(true);
  expect(ig.ignores('local.txt')).toBe(false);
  expect(ig.ignores('pkg/sub/local.txt')).toBe(false);
});

test('agrees with git check-ignore on a mixed tree', async () => {
  const t = await tempDir();
  try {
    const gitignore = [
      '# build products', '/dist', 'out/', '*.py[co]', '**/cache/**', 'docs/**/*.draft',
      'data/*', '!data/sample.csv', 'secret?.txt', 'logs', '!important.log', '*.log', '\\!bang',
    ].join('\n');
    const paths = [
      'dist/a.js', 'src/dist/a.js', 'out/x', 'src/out/x', 'a.pyc', 'pkg/b.pyo', 'pkg/b.py',
      'cache/x', 'a/cache/y/z', 'docs/a.draft', 'docs/x/y/b.draft', 'docs/b.md', 'data/big.csv',
      'data/sample.csv', 'secret1.txt', 'secret12.txt', 'logs/x', 'app/logs', 'important.log',
      'other.log', '!bang', 'src/main.ts',
    ];
    execFileSync('git', ['init', '-q', t.dir]);
    await writeFile(join(t.dir, '.gitignore'), gitignore);
    for (const p of paths) {
      await mkdir(dirname(join(t.dir, p)), { recursive: true });
      await writeFile(join(t.dir, p), '');
    }
    let gitSays = '';
    try {
      gitSays = execFileSync('git', ['-C', t.dir, 'check-ignore', '--no-index', ...paths], { encoding: 'utf8' });
    } catch (e) {
      gitSays = (e as { stdout: string }).stdout; // exit 1 when nothing is ignored
    }
    const byGit = new Set(gitSays.split('\n').filter(Boolean));
    const ig = m(gitignore);
    for (const p of paths) expect([p, ig.ignores(p)]).toEqual([p, byGit.has(p)]);
  } finally {
    await t.cleanup();
  }
});
