/**
 * Issue 13: a step that asks for an executor this flowctl cannot provide here (a container
 * for image:, AWS Batch for executor: batch) is rejected by validate and run with exit 2,
 * naming the step and where it asked; it never runs on the host instead.
 */
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { flowctl, makeProject } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const FLOW = `version: 1
name: asks
defaults:
  executor: batch
steps:
  prep:
    run: touch ran-prep
    executor: local
  fit:
    run: touch ran-fit
    image: python:3.12
    executor: local
  remote:
    run: touch ran-remote
    image: python:3.12
`;

test('validate and run exit 2 naming each step, its setting and where it was set', async () => {
  const dir = await makeProject({ 'flow.yaml': FLOW });
  dirs.push(dir);
  const v = await flowctl(['validate', 'flow.yaml'], { cwd: dir });
  expect(v.exitCode).toBe(2);
  expect(v.stderr).toContain("flow.yaml:11:12: step 'fit' asks for image: python:3.12, but container steps (image:) are not supported by this version of flowctl\n  hint: remove image:");
  expect(v.stderr).toContain("flow.yaml:4:13: step 'remote' asks for executor: batch, but AWS Batch jobs need an S3 datastore (they read their inputs and write their outputs there), and this run's store is a local .flowctl/ directory");
  expect(v.stderr).not.toContain("step 'prep'");

  const r = await flowctl(['run', 'flow.yaml'], { cwd: dir });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toContain("step 'fit' asks for image: python:3.12");
  for (const f of ['ran-prep', 'ran-fit', 'ran-remote']) expect(existsSync(path.join(dir, f))).toBe(false);
  expect(existsSync(path.join(dir, '.flowctl', 'flows'))).toBe(false);
});

test('--json reports them as problems with rule "executor"', async () => {
  const dir = await makeProject({ 'flow.yaml': FLOW });
  dirs.push(dir);
  const v = await flowctl(['validate', '--json', 'flow.yaml'], { cwd: dir });
  expect(v.exitCode).toBe(2);
  const report = JSON.parse(v.stdout);
  expect(report.files[0].problems.map((p: { rule: string; line: number }) => [p.rule, p.line])).toEqual([['executor', 4], ['executor', 11]]);
});
