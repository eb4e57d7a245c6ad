/** Shared by the dry-run tests: the plan as JSON through the real CLI, and a fingerprint of a store. */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { flowctl } from '../helpers/cli.js';

/** Every file of the store with its size, mode, mtime and content hash: a dry run must leave it as it was. */
export async function storeState(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      const st = await stat(p);
      if (e.isDirectory()) {
        out[`${path.relative(dir, p)}/`] = `dir ${st.mtimeMs}`;
        await walk(p);
      } else {
        out[path.relative(dir, p)] = `${st.size} ${st.mode.toString(8)} ${st.mtimeMs} ${createHash('sha256').update(await readFile(p)).digest('hex')}`;
      }
    }
  };
  await walk(dir);
  return out;
}

/** `CMD TARGET --dry-run --json ARGS`, which must exit 0 with nothing on stderr. */
export async function plan(cwd: string, env: Record<string, string>, args: string[] = [], cmd = 'run', target = 'flow.yaml') {
  const r = await flowctl([cmd, target, '--dry-run', '--json', ...args], { cwd, env });
  expect({ code: r.exitCode, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
  return JSON.parse(r.stdout);
}

/** A planned task of a plan. */
export const task = (p: any, step: string, id = '0') => p.tasks.find((t: any) => t.step === step && t.taskId === id);

export function esc(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
