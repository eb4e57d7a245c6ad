/**
 * A gitignore matcher (the subset of gitignore(5) that real projects use): comments,
 * blank lines, `!` negation, `\` escapes, leading `/` and inner `/` anchoring, trailing
 * `/` for directories only, `*`, `?`, `[a-z]`/`[!a-z]` classes and `**` as a leading,
 * trailing or middle path segment. The last matching rule wins. Written here rather
 * than depending on a package: it is ~100 lines and the snapshot must agree with git.
 */

interface Rule {
  /** Directory of the ignore file, relative to the project root, '' for the root. */
  base: string;
  negate: boolean;
  dirOnly: boolean;
  re: RegExp;
}

export class IgnoreMatcher {
  private readonly rules: Rule[] = [];

  /** Add the lines of an ignore file found in directory `base` (posix, relative to the root). */
  add(text: string, base = ''): this {
    for (const line of text.split(/\r?\n/)) {
      const rule = parseLine(line, base);
      if (rule) this.rules.push(rule);
    }
    return this;
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * The verdict of the last rule matching `path` itself: true (ignored), false (re-included
   * by `!`) or undefined (no rule matches). Does not look at parent directories: a walker
   * that skips ignored directories gets git's semantics from this alone.
   */
  match(path: string, isDir: boolean): boolean | undefined {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const r = this.rules[i];
      if (r.dirOnly && !isDir) continue;
      const rel = r.base === '' ? path : path.startsWith(`${r.base}/`) ? path.slice(r.base.length + 1) : undefined;
      if (rel !== undefined && r.re.test(rel)) return !r.negate;
    }
    return undefined;
  }

  /** Whether git would ignore `path`: it or one of its parent directories is ignored. */
  ignores(path: string, isDir = false): boolean {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      if (this.match(parts.slice(0, i).join('/'), true)) return true;
    }
    return this.match(path, isDir) === true;
  }
}

function parseLine(raw: string, base: string): Rule | undefined {
  // Trailing spaces are dropped unless escaped with a backslash.
  let line = raw.replace(/(?<!\\)\s+$/, '');
  if (line === '' || line.startsWith('#')) return undefined;
  let negate = false;
  if (line.startsWith('!')) {
    negate = true;
    line = line.slice(1);
  } else if (line.startsWith('\\!') || line.startsWith('\\#')) {
    line = line.slice(1);
  }
  let dirOnly = false;
  if (line.endsWith('/') && !line.endsWith('\\/')) {
    dirOnly = true;
    line = line.slice(0, -1);
  }
  if (line === '') return undefined;
  // A slash anywhere but the end anchors the pattern to the ignore file's directory.
  const anchored = line.includes('/');
  if (line.startsWith('/')) line = line.slice(1);
  const body = translate(line);
  const re = new RegExp(anchored || line.startsWith('**/') ? `^${body}$` : `^(?:.*/)?${body}$`);
  return { base, negate, dirOnly, re };
}

function translate(glob: string): string {
  let out = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      const atStart = i === 0 || glob[i - 1] === '/';
      const next = glob[i + 2];
      if (atStart && next === '/') {
        out += '(?:.*/)?'; // `**/`: zero or more directories
        i += 3;
        continue;
      }
      if (atStart && next === undefined) {
        out += '.*'; // trailing `/**`: everything inside; a lone `**`: everything
        i += 2;
        continue;
      }
      out += '[^/]*'; // any other `**` is a plain `*`
      i += 2;
    } else if (c === '*') {
      out += '[^/]*';
      i++;
    } else if (c === '?') {
      out += '[^/]';
      i++;
    } else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) {
        out += '\\[';
        i++;
        continue;
      }
      let cls = glob.slice(i + 1, end);
      const neg = cls.startsWith('!') || cls.startsWith('^');
      if (neg) cls = cls.slice(1);
      cls = cls.replace(/\\/g, '\\\\').replace(/\]/g, '\\]');
      out += neg ? `(?!/)[^${cls}]` : `[${cls}]`;
      i = end + 1;
    } else if (c === '\\' && i + 1 < glob.length) {
      out += escapeRe(glob[i + 1]);
      i += 2;
    } else {
      out += escapeRe(c);
      i++;
    }
  }
  return out;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
