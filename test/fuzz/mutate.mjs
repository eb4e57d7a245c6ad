/**
 * Deterministic generators of hostile flow files and expressions for the fuzz test
 * (test/spec/fuzz.test.ts) and the soak (bench/fuzz-soak.mjs). Plain JavaScript so both jest
 * and a bare `node` can load it. Every input is a pure function of (seed, index): a failure
 * printed as `seed=S case=N` is reproduced by `fuzzCase(S, N, corpus)`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: small, fast, good enough to pick mutations. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The repository's valid flows: the seeds every mutation starts from. */
export function loadCorpus(repo) {
  const dirs = [join(repo, 'flows'), join(repo, 'test/fixtures/valid')];
  const files = dirs.flatMap((d) => readdirSync(d).filter((f) => f.endsWith('.yaml')).sort().map((f) => join(d, f)));
  return files.map((f) => ({ name: f.slice(repo.length + 1), text: readFileSync(f, 'utf8') }));
}

const KEYS = ['version', 'name', 'steps', 'run', 'needs', 'foreach', 'matrix', 'if', 'outputs', 'env', 'retry', 'timeout',
  'catch', 'cache', 'deps', 'params', 'defaults', 'resources', 'image', 'executor', 'shell', 'root', 'type', 'default',
  'minimum', 'maximum', 'enum', 'secret', 'attempts', 'delay', 'backoff', 'max_delay', 'cpu', 'memory', 'gpu', '<<'];

const HUGE = ['1e308', '1e309', '-1e309', '99999999999999999999999999', '-0', '.inf', '-.inf', '.nan', '0x7fffffffffffffff',
  '9007199254740993', '1e-400', '0o777777777777', '4294967296', '2147483648', '1_000_000', '123456789012345678901234567890h',
  '99999999999999h', '1e400ms', '0.0000000001s', '18446744073709551616'];

const UNICODE = ['é', 'ß', 'İ', 'ﬁ', '\u200b', '\u200d', '\u202e', '\ufeff', '\u0301', '😀', '👩‍👩‍👧', '𝔘', '\ud800', '\udfff',
  '\u2028', '\u2029', '\u0085', '\u00a0', '\u3000', '中文', 'ع', '\u0000', '\u0007', '\u001b[31m', '\t', '\r', '\\u0000'];

const EXPR_BITS = ['${{', '}}', '${{ }}', '${{ ${{ item }} }}', '${{ ((((((((((', '${{ item', "${{ 'unterminated", '${{ "a\\', '${{ }} }}',
  '${{ params.', '${{ steps..values }}', '${{ item[item[item[0]]] }}', '${{ !!!!!!!!!!!!!!!!!!!! }}', '${{ 1 +* 2 }}',
  '${{ range(1e308) }}', '${{ range(-1, 1e9) }}', '${{ fromJSON(\'[[[[[[\') }}', '${{ toJSON(run) }}', '${{ len() }}',
  '${{ constructor }}', '${{ __proto__.polluted }}', '${{ item.__proto__ }}', '${{ params.constructor.name }}',
  '${{ steps.a.values.__proto__ }}', '${{ run.id == run.id == run.id }}', '$${{ item }}', '${{{{ item }}}}',
  '${{ 0x10 }}', '${{ 1e999 }}', '${{ .5 }}', '${{ 1. }}', '${{ \'\\u0000\' }}', '${{ item.- }}', '${{ a-b-c-d }}'];

/** A list of `depth` nested flow sequences or mappings around a value. */
function nested(depth, kind) {
  if (kind === 'flow-seq') return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  if (kind === 'flow-map') return `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
  if (kind === 'block') return Array.from({ length: depth }, (_, i) => `${' '.repeat(i)}- `).join('\n') + '1';
  return `"${'${{ ('.repeat(Math.min(depth, 400))}1${')'.repeat(Math.min(depth, 400))} }}"`;
}

/** Billion laughs: each level aliases the previous one `width` times. */
function aliasBomb(levels, width) {
  const lines = ['x-lol0: &l0 [lol]'];
  for (let i = 1; i <= levels; i++) lines.push(`x-lol${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(', ')}]`);
  return lines;
}

function randomBytes(rand, n) {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rand() * 256);
  return out;
}

/** Operators on lines of text; each returns new lines. */
const LINE_OPS = {
  delete: (r, L) => (L.length > 1 ? L.toSpliced(pickIndex(r, L), 1) : L),
  duplicate: (r, L) => {
    const i = pickIndex(r, L);
    return L.toSpliced(i, 0, L[i]);
  },
  swap: (r, L) => {
    const [i, j] = [pickIndex(r, L), pickIndex(r, L)];
    const out = [...L];
    [out[i], out[j]] = [out[j], out[i]];
    return out;
  },
  indent: (r, L) => {
    const i = pickIndex(r, L);
    const d = Math.floor(r() * 5) - 2;
    return L.with(i, d >= 0 ? ' '.repeat(d) + L[i] : L[i].replace(new RegExp(`^ {0,${-d}}`), ''));
  },
  tab: (r, L) => L.with(pickIndex(r, L), `\t${L[pickIndex(r, L)] ?? ''}`),
  truncate: (r, L) => {
    const text = L.join('\n');
    return text.slice(0, Math.floor(r() * text.length)).split('\n');
  },
  replaceScalar: (r, L) => {
    const i = pickIndex(r, L);
    const m = /^(\s*(?:- )?[^:#]*:\s*)(.+)$/.exec(L[i]);
    if (!m) return L;
    const v = pick(r, ['null', '~', '[]', '{}', '""', 'true', 'no', '-1', '0', '[1, [2, [3]]]', '{a: {b: c}}', '|', '>-', '*nope', '&a', '!!binary aGk=', '!!str', '!custom x', '? x', pick(r, HUGE), pick(r, EXPR_BITS), pick(r, UNICODE)]);
    return L.with(i, m[1] + v);
  },
  renameKey: (r, L) => {
    const i = pickIndex(r, L);
    return L.with(i, L[i].replace(/^(\s*(?:- )?)([A-Za-z_][\w-]*)(\s*:)/, (_, a, _k, c) => `${a}${pick(r, [...KEYS, pick(r, UNICODE), 'x'.repeat(1 + Math.floor(r() * 300))])}${c}`));
  },
  insertExpr: (r, L) => insertAt(r, L, pick(r, EXPR_BITS)),
  insertUnicode: (r, L) => insertAt(r, L, Array.from({ length: 1 + Math.floor(r() * 4) }, () => pick(r, UNICODE)).join('')),
  insertHuge: (r, L) => {
    const i = pickIndex(r, L);
    return L.with(i, L[i].replace(/-?\d+(\.\d+)?/, pick(r, HUGE)));
  },
  longName: (r, L) => {
    const n = pick(r, [64, 65, 129, 1000, 10_000, 100_000]);
    const name = pick(r, ['a', 'x-', 'é', '😀', '_']).repeat(n);
    const i = L.findIndex((l) => /^ {2}[a-z_][\w-]*:/.test(l));
    if (i >= 0 && r() < 0.6) return L.with(i, L[i].replace(/^( {2})[a-z_][\w-]*/, `$1${name}`));
    const j = L.findIndex((l) => /^name:/.test(l));
    return j >= 0 ? L.with(j, `name: ${name}`) : [...L, `x-${name}: 1`];
  },
  deepNesting: (r, L) => {
    const kind = pick(r, ['flow-seq', 'flow-map', 'block', 'expr']);
    // A block nesting of depth d is ~d²/2 bytes: past ~3,000 levels it is only "too large".
    const depth = pick(r, kind === 'block' ? [50, 101, 500, 3000] : [50, 101, 500, 2000, 100_000]);
    const i = L.findIndex((l) => /^\s+(foreach|outputs|needs|env|run):/.test(l));
    if (i >= 0 && r() < 0.7) return L.with(i, L[i].replace(/:\s.*$/, `: ${nested(depth, kind).split('\n').join('\n      ')}`));
    return [...L, `x-deep: ${nested(depth, kind).split('\n').join('\n  ')}`];
  },
  aliasBomb: (r, L) => {
    const bomb = aliasBomb(pick(r, [5, 9, 12]), pick(r, [9, 10]));
    const at = r() < 0.5 ? 0 : L.length;
    const use = pick(r, ['x-use: *l', '  bomb: { run: echo, env: *l', '  bomb: { run: echo, foreach: *l', '  bomb: { run: echo, outputs: *l']);
    const last = `${use}${bomb.length - 1}${use.includes('{') ? ' }' : ''}`;
    const out = [...L.slice(0, at), ...bomb, ...L.slice(at)];
    const steps = out.findIndex((l) => /^steps:/.test(l));
    return use.startsWith('  ') && steps >= 0 ? out.toSpliced(steps + 1, 0, last) : [...out, last.trimStart()];
  },
  spliceOther: (r, L, corpus) => {
    const other = pick(r, corpus).text.split('\n');
    const from = pickIndex(r, other);
    return L.toSpliced(pickIndex(r, L), 0, ...other.slice(from, from + 1 + Math.floor(r() * 6)));
  },
  manyDocs: (r, L) => L.toSpliced(pickIndex(r, L), 0, pick(r, ['---', '...', '%YAML 1.2', '%TAG ! tag:x,2000:', '--- !!map'])),
};

const BYTE_OPS = {
  flip: (r, b) => {
    const out = Buffer.from(b);
    if (out.length) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
    return out;
  },
  insertBytes: (r, b) => {
    const at = Math.floor(r() * (b.length + 1));
    return Buffer.concat([b.subarray(0, at), randomBytes(r, 1 + Math.floor(r() * 16)), b.subarray(at)]);
  },
  overwriteBytes: (r, b) => {
    const out = Buffer.from(b);
    const at = Math.floor(r() * out.length);
    randomBytes(r, Math.min(out.length - at, 1 + Math.floor(r() * 32))).copy(out, at);
    return out;
  },
  garbage: (r) => randomBytes(r, Math.floor(r() * 2048)),
  bom: (r, b) => Buffer.concat([Buffer.from(pick(r, [[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf]])), b]),
  crlf: (r, b) => Buffer.from(b.toString('latin1').replace(/\n/g, pick(r, ['\r\n', '\r', '\n\r'])), 'latin1'),
};

function pick(r, xs) {
  return xs[Math.floor(r() * xs.length)];
}
function pickIndex(r, xs) {
  return Math.floor(r() * Math.max(1, xs.length));
}
function insertAt(r, L, s) {
  const i = pickIndex(r, L);
  const line = L[i] ?? '';
  const at = Math.floor(r() * (line.length + 1));
  return L.with(i, line.slice(0, at) + s + line.slice(at));
}

/** A random flow built from the spec's own keys with values of every type (the old robustness generator, widened). */
function randomFlow(r) {
  const scalar = () => pick(r, [null, true, 0, -1, 1.5, 3, '', 'x', '5min', '1h30m', '${{ item }}', '${{ params.a }}',
    '${{ steps.a.values.v }}', '${{ bad + }}', 'echo ${{ run.id }}', '../x', '/abs', 'a/./b', 'FLOW_X', '4Gi', 'lcoal', 'bash',
    Number(pick(r, HUGE)), pick(r, UNICODE), pick(r, EXPR_BITS)]);
  const names = ['a', 'b', 'c', 'fit', 'Bad', 'x-y', '1', '__proto__', 'constructor', 'toString', 'hasOwnProperty'];
  const value = (d) => {
    const x = r();
    if (d > 3 || x < 0.5) return scalar();
    if (x < 0.7) return Array.from({ length: Math.floor(r() * 3) }, () => value(d + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(r() * 3) }, () => [pick(r, [...KEYS, ...names]), value(d + 1)]));
  };
  const step = (d) => {
    if (r() < 0.1) return scalar();
    const s = {};
    for (const k of KEYS.slice(2, 22)) {
      if (r() > 0.25) continue;
      if (k === 'steps') s[k] = d < 3 ? steps(d + 1) : value(2);
      else if (k === 'needs') s[k] = r() < 0.5 ? pick(r, names) : [pick(r, names), pick(r, names)];
      else s[k] = value(1);
    }
    if (r() < 0.7) s.run = r() < 0.8 ? pick(r, ['echo', 'echo ${{ item }}', 'echo ${{ steps.b.values.v }}', 'x ${{ params.p }}']) : scalar();
    return s;
  };
  const steps = (d) => Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 4) }, () => [pick(r, names), step(d)]));
  const flow = { version: r() < 0.9 ? 1 : scalar(), name: pick(r, ['f', 'Bad', 1, '__proto__']), steps: steps(0) };
  if (r() < 0.5) flow.params = { p: { type: pick(r, ['string', 'integer', 'list', 'float', 'object']), default: scalar() }, q: value(1) };
  if (r() < 0.5) flow.defaults = { retry: value(1), timeout: scalar(), env: value(1), resources: value(1), params: value(1) };
  return JSON.stringify(flow, null, 1); // JSON is YAML; the line mutations below then break it up
}

/**
 * The n-th input of a fuzz run with this seed: `{ bytes, ops, base }` where ops names the
 * mutations applied (for the failure report).
 */
export function fuzzCase(seed, n, corpus) {
  const r = prng((seed * 0x9e3779b1) ^ (n * 0x85ebca6b));
  const fromRandom = r() < 0.12;
  const base = fromRandom ? 'random-flow' : pick(r, corpus).name;
  let lines = (fromRandom ? randomFlow(r) : corpus.find((c) => c.name === base).text).split('\n');
  const ops = [];
  const lineOps = Object.keys(LINE_OPS);
  for (let k = 0, count = 1 + Math.floor(r() * 3); k < count; k++) {
    const op = pick(r, lineOps);
    ops.push(op);
    lines = LINE_OPS[op](r, lines, corpus);
  }
  let bytes = Buffer.from(lines.join('\n'), 'utf8');
  if (r() < 0.12) {
    const op = pick(r, Object.keys(BYTE_OPS));
    ops.push(op);
    bytes = BYTE_OPS[op](r, bytes);
  }
  return { bytes, ops, base };
}

/** The n-th random expression source (what goes between `${{` and `}}`), and a template around it. */
export function exprCase(seed, n) {
  const r = prng((seed * 0x27d4eb2d) ^ (n * 0x165667b1));
  const atoms = ['1', '0', '-1', '2.5', '1e308', '1e309', "'s'", '"d"', "'\\n'", 'true', 'false', 'null', 'params.a', 'params.n',
    'steps.s.values.v', 'steps.s.state', 'item', 'item.x', 'item[0]', 'items[0]', 'run.id', 'run.flow', '[1, 2]', '[]',
    'range(3)', 'range(0, 2)', 'len(item)', "contains(item, 1)", "startsWith('ab', 'a')", "join([1, 2], ',')", 'toJSON(item)',
    "fromJSON('{\"a\": 1}')", 'nope', '__proto__', 'constructor', 'params.__proto__', 'item.constructor', pick(r, UNICODE)];
  const ops = ['||', '&&', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%'];
  const gen = (d) => {
    const x = r();
    if (d > 6 || x < 0.4) return pick(r, atoms);
    if (x < 0.7) return `${gen(d + 1)} ${pick(r, ops)} ${gen(d + 1)}`;
    if (x < 0.8) return `(${gen(d + 1)})`;
    if (x < 0.85) return `!${gen(d + 1)}`;
    if (x < 0.9) return `${pick(r, ['range', 'len', 'contains', 'join', 'toJSON', 'fromJSON', 'startsWith', 'endsWith', 'nope'])}(${gen(d + 1)}, ${gen(d + 1)})`;
    if (x < 0.95) return `${gen(d + 1)}[${gen(d + 1)}]`;
    return `[${gen(d + 1)}, ${gen(d + 1)}]`;
  };
  let src = gen(0);
  // Character-level damage on a third of them.
  if (r() < 0.33) {
    const chars = [...src];
    for (let k = 0, count = 1 + Math.floor(r() * 3); k < count; k++) {
      const at = Math.floor(r() * (chars.length + 1));
      const what = r();
      if (what < 0.4) chars.splice(at, 1);
      else if (what < 0.8) chars.splice(at, 0, pick(r, ['(', ')', '[', ']', "'", '"', '\\', '.', ',', '!', '=', '&', '|', '$', '{', '}', ' ', '0', 'e', '-']));
      else chars.splice(at, 0, pick(r, EXPR_BITS));
    }
    src = chars.join('');
  }
  if (r() < 0.05) src = `${'('.repeat(pick(r, [99, 100, 101, 5000]))}1${')'.repeat(pick(r, [99, 100, 101, 5000]))}`;
  if (r() < 0.05) src = `${'!'.repeat(pick(r, [99, 101, 5000]))}true`;
  if (r() < 0.05) src = `${'-'.repeat(pick(r, [99, 101, 5000]))}1`;
  if (r() < 0.03) src = Array.from({ length: 5000 }, () => '1').join(' + ');
  const template = pick(r, [`echo \${{ ${src} }}`, `\${{ ${src} }}`, `a \${{ ${src} }} b \${{ item }}`, `"\${{ ${src} }}"`, `'\${{ ${src} }}'`]);
  return { src, template };
}
