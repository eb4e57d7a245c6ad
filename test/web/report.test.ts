/** `flowctl report`: one self-contained HTML file (the browser test opens it offline). */
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, runIdFrom } from '../helpers/cli.js';
import { STACK } from '../show/helpers.js';
import { demoProject } from './helpers.js';

let cwd: string;
let failed: string;

beforeAll(async () => {
  cwd = await demoProject();
  failed = runIdFrom(await flowctl(['run', 'demo.yaml', '-p', 'fail=true'], { cwd }));
}, 60_000);

afterAll(() => rm(cwd, { recursive: true, force: true }));

/** The page's markup outside inline scripts and styles. */
const markup = (html: string) => html.replace(/<script[^>]*>[\s\S]*?<\/script>/g, '').replace(/<style>[\s\S]*?<\/style>/g, '');

test('writes one file that references nothing outside itself and embeds the run, failures and log tails', async () => {
  const file = path.join(cwd, 'out', '..', 'report.html');
  const r = await flowctl(['report', `demo/${failed}`, '-o', file], { cwd });
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toBe(path.resolve(file));
  expect(r.stderr).toMatch(/report of demo\/\S+ \(failed\): \d+ KiB/);
  const html = await readFile(file, 'utf8');
  expect(html).toMatch(/^<!doctype html>/);
  expect(html).toContain(`<title>demo/${failed} (failed) · flowctl report</title>`);
  const outside = markup(html);
  expect(outside.match(/\b(src|href)="[^"]*"/g)).toEqual(['href="data:,"']);
  expect(html.match(/<script type="module">/g)).toHaveLength(1);
  expect(html.match(/<style>/g)).toHaveLength(1);
  const data = JSON.parse(/<script id="flowctl-report" type="application\/json">([\s\S]*?)<\/script>/.exec(html)![1]);
  expect(data).toMatchObject({ kind: 'flowctl-report', snapshot: { run: { runId: failed, state: 'failed' }, eventsOffset: null } });
  expect(data.snapshot.steps.map((s: { step: string }) => s.step)).toEqual(['prepare', 'fit', 'wait', 'check']);
  expect(data.snapshot.failures[0]).toMatchObject({ step: 'check', lastLines: ['check failed: auc too low'] });
  expect(data.tails['check/0']).toEqual({ stdout: ['checking'], stderr: ['check failed: auc too low'] });
  expect(data.tails['fit/2'].stdout).toEqual(['fold 3 epoch 1 loss 0.333', 'fold 3 epoch 2 loss 0.167', 'fold 3 epoch 3 loss 0.111']);
  // Text from the store cannot close the data's script element.
  expect(/<script id="flowctl-report"[^>]*>([\s\S]*?)<\/script>/.exec(html)![1]).not.toContain('<');
});

test('never replaces a file unless --force; -o - writes to stdout; the default name is FLOW-RUN.html', async () => {
  const file = path.join(cwd, 'exists.html');
  await writeFile(file, 'mine');
  const r = await flowctl(['report', failed, '-o', file], { cwd });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(/exists\.html already exists/);
  expect(await readFile(file, 'utf8')).toBe('mine');
  expect((await flowctl(['report', failed, '-o', file, '--force'], { cwd })).exitCode).toBe(0);
  expect(await readFile(file, 'utf8')).toMatch(/^<!doctype html>/);
  const out = await flowctl(['report', 'demo/latest', '-o', '-'], { cwd });
  expect(out.exitCode).toBe(0);
  expect(out.stdout).toMatch(/^<!doctype html>[\s\S]*<\/html>\s*$/);
  const dflt = await flowctl(['report', failed], { cwd });
  expect(dflt.stdout.trim()).toBe(path.join(cwd, `demo-${failed}.html`));
  expect((await stat(path.join(cwd, `demo-${failed}.html`))).size).toBeGreaterThan(1000);
});

test('bad input: an unknown run, a missing directory, a directory as the file: exit 2, no stack', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['report', 'demo/20990101T000000.000Z-nope00'], /No run '20990101T000000.000Z-nope00' in flow demo/],
    [['report', failed, '-o', path.join(cwd, 'no/such/dir/r.html')], /Cannot write .*r\.html: .*no\/such\/dir is not a directory/],
    [['report', failed, '-o', cwd], /is a directory/],
  ];
  for (const [args, message] of cases) {
    const r = await flowctl(args, { cwd });
    expect([args, r.exitCode]).toEqual([args, 2]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(STACK);
  }
});
