/** Runs the real, built CLI in a temporary project and reads back what it stored. */
import { execa, type Options } from 'execa';
import { mkdir, readFile, readdir, writeFile, chmod } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './tmp.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = path.join(REPO, 'bin/flowctl.js');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function flowctl(args: string[], opts: Options & { cwd: string }): Promise<CliResult> {
  // GITHUB_ACTIONS is unset unless a test sets it: under a GitHub-hosted CI, output would otherwise hold workflow commands.
  const r = await execa('node', [BIN, ...args], { reject: false, ...opts, env: { FLOWCTL_USER: 'tester', GITHUB_ACTIONS: undefined, ...(opts.env ?? {}) } });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** A temp project: files maps relative paths to contents (strings are written as-is). */
export async function makeProject(files: Record<string, string>): Promise<string> {
  const dir = await tempDir('flowctl-test-');
  for (const [rel, content] of Object.entries(files)) {
    const p = path.join(dir, rel);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, content);
    if (rel.endsWith('.sh')) await chmod(p, 0o755);
  }
  return dir;
}

/** Reads records of the store under `<project>/.flowctl`. */
export class StoreReader {
  constructor(readonly root: string) {}

  static of(project: string): StoreReader {
    return new StoreReader(path.join(project, '.flowctl'));
  }

  async json<T = any>(rel: string): Promise<T> {
    return JSON.parse(await readFile(path.join(this.root, rel), 'utf8')) as T;
  }

  async run(flow: string, runId: string): Promise<any> {
    return this.json(`flows/${flow}/runs/${runId}/run.json`);
  }

  async tasks(flow: string, runId: string, step: string): Promise<any[]> {
    const dir = path.join(this.root, `flows/${flow}/runs/${runId}/steps/${step}/tasks`);
    const ids = await readdir(dir).catch(() => [] as string[]);
    const out = await Promise.all(ids.map((id) => this.json(`flows/${flow}/runs/${runId}/steps/${step}/tasks/${id}/task.json`)));
    return out.sort((a, b) => compareIds(a.taskId, b.taskId));
  }

  async task(flow: string, runId: string, step: string, taskId = '0'): Promise<any> {
    return this.json(`flows/${flow}/runs/${runId}/steps/${step}/tasks/${taskId}/task.json`);
  }

  async log(flow: string, runId: string, step: string, taskId: string, attempt = 1, stream = 'stdout'): Promise<string> {
    return readFile(path.join(this.root, `flows/${flow}/runs/${runId}/steps/${step}/tasks/${taskId}/attempts/${attempt}/${stream}`), 'utf8');
  }

  objectPath(hash: string): string {
    return path.join(this.root, 'objects/sha256', hash.slice(0, 2), hash);
  }

  async output(flow: string, runId: string, step: string, taskId: string, rel: string): Promise<string> {
    const t = await this.task(flow, runId, step, taskId);
    const e = t.outputs.find((o: any) => o.path === rel);
    if (!e) throw new Error(`no output ${rel} in ${step}/${taskId}: ${JSON.stringify(t.outputs.map((o: any) => o.path))}`);
    return readFile(this.objectPath(e.hash), 'utf8');
  }

  async steps(flow: string, runId: string): Promise<string[]> {
    return (await readdir(path.join(this.root, `flows/${flow}/runs/${runId}/steps`))).sort();
  }
}

function compareIds(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

export function runIdFrom(r: CliResult): string {
  const id = r.stdout.trim().split('\n').pop() ?? '';
  if (!/^\d{8}T/.test(id)) throw new Error(`no run id on stdout:\n${r.stdout}\n${r.stderr}`);
  return id;
}
