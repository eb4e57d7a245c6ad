/**
 * Every code block of README.md (and flows/README.md) that shows a command or an API call runs, as written, in a
 * copy of the repo's flows/ (issue 17, item 4): `sh` blocks with bash (`flowctl` on the PATH
 * is the built CLI), `ts` blocks compiled by esbuild and run by node (`import … from 'flowctl'`
 * is this package). Example run ids become real ones; the S3 block runs against a local S3
 * server. And the quick start's first command after install does not rebuild the package (item 7).
 */
import { execa } from 'execa';
import { cp, mkdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO } from '../helpers/cli.js';
import { startFakeBatch } from '../batch/fake-batch.js';
import { startS3rver } from '../s3/s3rver.js';
import { tempDir } from '../helpers/tmp.js';
import { codeBlocks, shellScript, type Block } from './blocks.js';

const DOCS = ['README.md', 'flows/README.md'];
const BLOCKS = (await Promise.all(DOCS.map(async (doc) => codeBlocks(await readFile(path.join(REPO, doc), 'utf8')).map((b) => ({ ...b, doc })))))
  .flat();
const SCRIPTS = JSON.parse(await readFile(path.join(REPO, 'package.json'), 'utf8')).scripts as Record<string, string>;

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tempDir('flowctl-readme-');
  await cp(path.join(REPO, 'flows'), path.join(dir, 'flows'), { recursive: true, filter: (src) => path.basename(src) !== '.flowctl' });
  await symlink(path.join(REPO, 'bin'), path.join(dir, 'bin'));
  await mkdir(path.join(dir, 'node_modules'));
  await symlink(REPO, path.join(dir, 'node_modules', 'flowctl'));
  await mkdir(path.join(dir, '.path'));
  await writeFile(path.join(dir, '.path', 'flowctl'), `#!/bin/sh\nexec node ${JSON.stringify(path.join(REPO, 'bin/flowctl.js'))} "$@"\n`, { mode: 0o755 });
  await mkdir(path.join(dir, 'home'));
  env = {
    PATH: `${path.join(dir, '.path')}:${process.env.PATH}`, HOME: path.join(dir, 'home'), XDG_CACHE_HOME: path.join(dir, 'cache'),
    FLOWCTL_CACHE_DIR: path.join(dir, 'cache', 'flowctl'), FLOWCTL_USER: 'tester', NO_COLOR: '1', CI: 'true',
  };
});

function title(b: Block & { doc: string }): string {
  return `${b.doc}:${b.line} ${b.lang}: ${b.code.split('\n')[0]!.slice(0, 70)}`;
}

test('blocks are found, and skipped ones are few and say why', () => {
  expect(BLOCKS.filter((b) => b.lang === 'sh').length).toBeGreaterThanOrEqual(8);
  expect(BLOCKS.filter((b) => b.lang === 'ts').length).toBeGreaterThanOrEqual(1);
  const skipped = BLOCKS.filter((b) => b.skip !== undefined);
  // The MinIO example, flowctl ui (a server until Ctrl-C), and the AWS Batch task image's build and push (a registry and network).
  expect(skipped.length).toBeLessThanOrEqual(3);
  for (const b of skipped) expect(b.skip).toMatch(/\w+ \w+/);
});

describe.each(BLOCKS.filter((b) => b.skip === undefined).map((b) => [title(b), b] as const))('%s', (_name, block) => {
  test('runs', async () => {
    if (block.lang === 'ts') return runTs(block);
    const { script, npm } = shellScript(block.code, 'train');
    for (const line of npm) checkNpm(line);
    const s3 = /s3:\/\/([\w-]+)/.exec(block.code);
    const server = s3 ? await startS3rver([s3[1]!]) : undefined;
    // The AWS Batch example runs its jobs on the fake Batch endpoint (as local processes).
    const batch = server && /BATCH_QUEUE|--batch-queue/.test(block.code)
      ? await startFakeBatch({ env: server.env(path.join(dir, 'cache', 'batch-jobs')) })
      : undefined;
    const batchEnv = batch ? { ...batch.env, FLOWCTL_BATCH_POLL_MS: '300', FLOWCTL_BATCH_GATHER_MS: '300', FLOWCTL_LOG_SHIP_MS: '500' } : {};
    try {
      const r = await execa('bash', ['-c', script], {
        cwd: dir, env: { ...env, ...server?.env(path.join(dir, 'cache', 's3')), ...batchEnv }, extendEnv: true, reject: false, all: true, stdin: 'ignore',
      });
      expect({ exitCode: r.exitCode, output: r.exitCode === 0 ? '' : `${script}\n---\n${r.all}` }).toEqual({ exitCode: 0, output: '' });
      if (batch) expect((await batch.calls('SubmitJob')).length).toBeGreaterThan(0);
    } finally {
      await batch?.stop();
      await server?.stop();
    }
  }, 300_000);
});

/** `npm` lines are what a developer runs around the suite: installs are taken as done, scripts must exist. */
function checkNpm(line: string): void {
  const [, cmd, arg] = /^npm\s+(\S+)\s*(\S*)/.exec(line) ?? [];
  if (cmd === 'ci' || cmd === 'install' || cmd === 'link') return;
  const script = cmd === 'run' ? arg! : cmd!;
  expect({ line, script: script in SCRIPTS }).toEqual({ line, script: true });
}

async function runTs(block: Block): Promise<void> {
  const { transform } = await import('esbuild');
  const { code } = await transform(block.code, { loader: 'ts', format: 'esm', target: 'node20' });
  const file = path.join(dir, `readme-${block.line}.mjs`);
  await writeFile(file, code);
  const r = await execa('node', [file], { cwd: dir, env, reject: false, all: true });
  expect({ exitCode: r.exitCode, output: r.exitCode === 0 ? '' : `${block.code}\n---\n${r.all}` }).toEqual({ exitCode: 0, output: '' });
}

test('the quick start runs the example right after `npm ci`, without rebuilding the package (no npx)', async () => {
  const quick = BLOCKS.find((b) => b.lang === 'sh' && /npm ci/.test(b.code))!;
  const first = quick.code.split('\n').map((l) => l.replace(/\s+#.*$/, '').trim()).find((l) => l && !l.startsWith('npm '))!;
  // npx and npm exec install a clone as a package, which runs `prepare` (the whole build) on every call.
  expect(first).not.toMatch(/^(npx|npm exec)\b/);
  expect(first).toMatch(/\brun flows\/train\.yaml$/);
  const built = () => Promise.all(['dist/index.js', 'oclif.manifest.json'].map(async (f) => (await stat(path.join(REPO, f))).mtimeMs));
  const before = await built();
  const r = await execa('bash', ['-c', first], { cwd: REPO, env: { ...env, FLOWCTL_DATASTORE: path.join(dir, 'quick-start-store') }, reject: false, all: true });
  expect({ exitCode: r.exitCode, output: r.exitCode === 0 ? '' : r.all }).toEqual({ exitCode: 0, output: '' });
  expect(r.stdout.trim()).toMatch(/^\d{8}T\S+$/);
  expect(await built()).toEqual(before);
}, 120_000);
