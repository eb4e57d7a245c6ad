/**
 * Issue 17, items 1 and 6, through the built CLI: flags go anywhere and repeatable flags take
 * one value per use; help reads well (no empty defaults, no sentence broken by a hard wrap,
 * one meaning per short flag); `help CMD`; an unknown command names the closest one.
 */
import { execa } from 'execa';
import { flowctl, makeProject, REPO, runIdFrom, StoreReader } from '../helpers/cli.js';
import { mapLimit, STACK_LINE } from './helpers.js';

const FLOW = `
version: 1
name: flags
params:
  n: { type: integer, default: 1 }
  word: { type: string, default: x }
steps:
  hello:
    run: echo "n=\${{ params.n }} word=\${{ params.word }}"
`;

interface FlagInfo { name: string; char?: string; description?: string; default?: unknown; multiple?: boolean; type: string }
interface CommandInfo { id: string; hidden: boolean; description?: string; summary?: string; flags: Record<string, FlagInfo> }

/** Every command oclif loads (ours and the autocomplete plugin's), read in a real process. */
async function commands(): Promise<CommandInfo[]> {
  const script = `import('@oclif/core').then(async ({ Config }) => {
    const c = await Config.load(${JSON.stringify(REPO)});
    console.log(JSON.stringify(c.commands.map((x) => ({ id: x.id, hidden: !!x.hidden, description: x.description, summary: x.summary, flags: x.flags }))));
  })`;
  const r = await execa('node', ['--input-type=module', '-e', script], { cwd: REPO });
  return JSON.parse(r.stdout) as CommandInfo[];
}

describe('flags anywhere, one value per use', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await makeProject({ 'flow.yaml': FLOW });
  });

  test.each([
    ['params and tags before the file', ['run', '-p', 'n=3', '--tag', 'nightly', '--param', 'word=hi', 'flow.yaml', '-q']],
    ['flags on both sides', ['run', '--tag', 'nightly', 'flow.yaml', '-p', 'n=3', '--param=word=hi', '-q']],
    ['after the file', ['run', 'flow.yaml', '-q', '--tag=nightly', '-p', 'n=3', '-p', 'word=hi']],
  ])('run: %s', async (_name, args) => {
    const r = await flowctl(args, { cwd });
    expect({ code: r.exitCode, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const run = await StoreReader.of(cwd).run('flags', runIdFrom(r));
    expect(run).toMatchObject({ params: { n: 3, word: 'hi' }, tags: ['nightly'] });
  });

  test('a repeatable flag takes one value per use: `--tag a b` is an error naming b, not two tags', async () => {
    const r = await flowctl(['run', 'flow.yaml', '--tag', 'a', 'b'], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^error: Unexpected argument: b\n {2}hint: --tag takes one value per use: repeat the flag \(--tag a --tag b\)/);
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stderr).not.toContain('USAGE');
    const two = await flowctl(['run', 'flow.yaml', '--tag', 'a', '--tag', 'b', '-q'], { cwd });
    expect((await StoreReader.of(cwd).run('flags', runIdFrom(two))).tags).toEqual(['a', 'b']);
  });

  test('an unknown flag names the closest flag of the command, exit 2', async () => {
    const cases: Array<[string[], string]> = [
      [['run', 'flow.yaml', '--tagg', 'x'], 'error: unknown flag --tagg (did you mean --tag?)'],
      [['run', 'flow.yaml', '-o', 'plain'], 'error: unknown flag -o (did you mean --output?)'],
      [['run', 'flow.yaml', '--outptu=plain'], 'error: unknown flag --outptu=plain (did you mean --output?)'],
      [['show', '--limt', '3'], 'error: unknown flag --limt (did you mean --limit?)'],
      [['resume', 'flags/latest', '--form', 'hello'], 'error: unknown flag --form (did you mean --from?)'],
      [['show', '--zzzzzz'], 'error: unknown flag --zzzzzz\n'],
    ];
    for (const [args, message] of cases) {
      const r = await flowctl(args, { cwd });
      expect([args.join(' '), r.exitCode]).toEqual([args.join(' '), 2]);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toMatch(/hint: `flowctl \w+ --help` shows the usage/);
      expect(r.stderr).not.toMatch(STACK_LINE);
    }
  });

  test('a missing file is a one-line usage error, exit 2', async () => {
    const r = await flowctl(['run', '-p', 'n=3'], { cwd });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe('error: missing FILE: flow file (YAML)\n  hint: `flowctl run --help` shows the usage');
  });

  test('resume, show, tag, logs, validate and graph take flags before their arguments too', async () => {
    const id = runIdFrom(await flowctl(['run', 'flow.yaml', '-q', '--tag', 'base'], { cwd }));
    const resumed = await flowctl(['resume', '-p', 'n=4', '--tag', 'again', '-q', `flags/${id}`], { cwd });
    expect(resumed.exitCode).toBe(0);
    expect(await StoreReader.of(cwd).run('flags', runIdFrom(resumed))).toMatchObject({ originRunId: id, params: { n: 4 }, tags: ['again'] });
    const shown = await flowctl(['show', '--tag', 'base', '--status', 'succeeded', '--json', 'flags'], { cwd });
    expect(JSON.parse(shown.stdout).runs.map((r: { runId: string }) => r.runId)).toEqual([id]);
    const tagged = await flowctl(['tag', 'add', '--json', `flags/${id}`, 'one', 'two'], { cwd });
    expect(JSON.parse(tagged.stdout).tags).toEqual(['base', 'one', 'two']);
    expect((await flowctl(['logs', '--stderr', `flags/${id}/hello/0`], { cwd })).exitCode).toBe(0);
    expect((await flowctl(['logs', '-a', '1', `flags/${id}/hello/0`], { cwd })).stdout).toBe('n=1 word=x');
    const validated = await flowctl(['validate', '--json', 'flow.yaml', 'flow.yaml'], { cwd });
    expect(JSON.parse(validated.stdout).files).toHaveLength(2);
    expect((await flowctl(['graph', '--format', 'mermaid', 'flow.yaml'], { cwd })).stdout).toMatch(/^flowchart TD/);
  }, 120_000);
});

describe('help', () => {
  let all: CommandInfo[];
  beforeAll(async () => {
    all = (await commands()).filter((c) => !c.hidden);
  });

  test('one meaning per short flag across every command', () => {
    const byChar = new Map<string, Set<string>>();
    for (const c of all) {
      for (const [name, f] of Object.entries(c.flags)) {
        if (f.char) byChar.set(f.char, (byChar.get(f.char) ?? new Set()).add(name));
      }
    }
    const clashes = [...byChar].filter(([, names]) => names.size > 1).map(([ch, names]) => `-${ch}: ${[...names].join(', ')}`);
    expect(clashes).toEqual([]);
    expect(byChar.get('o')).toEqual(new Set(['output']));
    expect(byChar.get('f')).toEqual(new Set(['follow']));
  });

  test('descriptions are not broken mid-sentence by hard line breaks', () => {
    const broken: string[] = [];
    for (const c of all) {
      const lines = (c.description ?? '').split('\n');
      lines.forEach((line, i) => {
        const next = lines[i + 1];
        // A line may end a paragraph, a sentence or an introduction; the lines of a list or example are indented.
        if (line.trim() && next?.trim() && !/^\s/.test(next) && !/[.:!?)]$/.test(line.trim())) broken.push(`${c.id}: ${JSON.stringify(line)}`);
      });
      for (const [name, f] of Object.entries(c.flags)) if (f.description?.includes('\n')) broken.push(`${c.id} --${name}`);
    }
    expect(broken).toEqual([]);
  });

  test('every command has --help without an empty [default: ], and `help CMD` prints the same', async () => {
    // `help --help` is the general help.
    const ids = all.map((c) => c.id).filter((id) => id !== 'help');
    const outputs = await mapLimit(ids, 4, async (id) => {
      const words = id.split(':');
      const [viaFlag, viaHelp] = await Promise.all([flowctl([...words, '--help'], { cwd: REPO }), flowctl(['help', ...words], { cwd: REPO })]);
      return { id, words, viaFlag, viaHelp };
    });
    for (const { id, words, viaFlag, viaHelp } of outputs) {
      expect({ id, code: viaFlag.exitCode }).toEqual({ id, code: 0 });
      expect(viaFlag.stdout).toContain(`$ flowctl ${words.join(' ')}`);
      expect(viaFlag.stdout).not.toMatch(/\[default: \]/);
      expect(viaHelp.stdout).toBe(viaFlag.stdout);
    }
  }, 180_000);

  test('tag add says it takes one run: RUN TAG..., not RUN... TAG...', async () => {
    const r = await flowctl(['tag', 'add', '--help'], { cwd: REPO });
    expect(r.stdout).toContain('$ flowctl tag add RUN TAG...');
    expect(r.stdout).toMatch(/^ {2}RUN {5}the run/m);
    expect(r.stdout).not.toContain('RUN...');
  });

  test.each([
    [['rnu', 'flow.yaml'], "error: 'rnu' is not a flowctl command. Did you mean 'flowctl run'?"],
    [['tag', 'ad', 'x'], "error: 'tag ad' is not a flowctl command. Did you mean 'flowctl tag add'?"],
    [['shwo'], "error: 'shwo' is not a flowctl command. Did you mean 'flowctl show'?"],
    [['help', 'resum'], "error: no command 'resum'; did you mean 'resume'?"],
  ])('an unknown command (%j) names the closest one, exit 2', async (args, message) => {
    const r = await flowctl(args, { cwd: REPO });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(message);
    expect(r.stderr).not.toMatch(STACK_LINE);
  });
});
