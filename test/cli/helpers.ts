/** Runs the real built CLI (`node bin/flowctl.js …`) from the repo root. */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const ROOT = process.cwd();

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Builds dist/ and the oclif manifest when a plain `jest` run finds no build (`npm test` builds first). */
export function ensureBuilt(): void {
  if (existsSync(`${ROOT}/dist/commands/validate.js`) && existsSync(`${ROOT}/oclif.manifest.json`)) return;
  // tsc still emits when an unrelated file has a type error, so its status is not checked here.
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'ignore' });
  spawnSync('npx', ['oclif', 'manifest'], { cwd: ROOT, stdio: 'ignore' });
  if (!existsSync(`${ROOT}/dist/commands/validate.js`)) throw new Error('building dist/ failed; run npm run build');
}

export function flowctl(args: string[], opts: { input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile('node', ['bin/flowctl.js', ...args], { cwd: ROOT, maxBuffer: 20 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', GITHUB_ACTIONS: undefined } }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** A line of a Node stack trace. */
export const STACK_LINE = /^\s{4}at /m;
