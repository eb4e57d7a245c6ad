/**
 * Project entries a task directory cannot hold (a symlink to a directory, a broken symlink, a
 * socket or FIFO) are left out of the code snapshot; the run says so once, naming them, instead
 * of leaving a task to fail on a missing path. A link to a file is its content.
 */
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

test('a run warns once about project links it leaves out of the task directory; .flowctlignore silences it', async () => {
  const dir = await makeProject({
    'flow.yaml': 'version: 1\nname: links\nsteps:\n  a: { run: "cat filelink; test ! -e dirlink && test ! -e broken" }\n  b: { needs: [a], run: "true" }\n',
    'real/data.txt': 'linked content\n',
  });
  dirs.push(dir);
  await symlink('real', path.join(dir, 'dirlink'));
  await symlink('nowhere', path.join(dir, 'broken'));
  await symlink('real/data.txt', path.join(dir, 'filelink'));
  await mkdir(path.join(dir, 'sub'));
  await symlink('../real', path.join(dir, 'sub/up'));

  const r = await flowctl(['run', 'flow.yaml', '--output', 'plain', '--stream-logs'], { cwd: dir });
  expect(r.exitCode).toBe(0);
  const warnings = r.stderr.split('\n').filter((l) => l.startsWith('warning:'));
  expect(warnings).toEqual([expect.stringMatching(/^warning: not in the task directory: broken, dirlink, sub\/up \(a symlink to a directory, a broken symlink/)]);
  expect(r.stderr).toContain('a/0 | linked content');

  const json = await flowctl(['run', 'flow.yaml', '--output', 'json'], { cwd: dir });
  const events = json.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  expect(events.filter((e) => e.type === 'warning').map((e) => e.message)).toEqual([expect.stringContaining('broken, dirlink, sub/up')]);

  await writeFile(path.join(dir, '.flowctlignore'), 'dirlink\nbroken\nsub/up\n');
  const quiet = await flowctl(['run', 'flow.yaml', '--output', 'plain'], { cwd: dir });
  expect(quiet.exitCode).toBe(0);
  expect(quiet.stderr).not.toContain('warning:');
});
