/** flowctl tag add|remove|list: edits in flows/<flow>/tags/<run-id>.json, merged with run.json on read, safe while the run is alive. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { flowctl, json, makeProject, runFlow, STACK, startRun, StoreReader } from './helpers.js';

let cwd: string;

beforeAll(async () => {
  cwd = await makeProject({
    'flow.yaml': 'version: 1\nname: tiny\nsteps:\n  hello:\n    run: echo hi\n',
    'slow.yaml': 'version: 1\nname: slowtag\nsteps:\n  nap:\n    run: sleep 7\n',
  });
});

test('add, remove and list; run.json keeps its start tags and the tags file holds the edits', async () => {
  const { id } = await runFlow(cwd, 'flow.yaml', ['--tag', 'nightly']);
  const added = await flowctl(['tag', 'add', id, 'best', 'baseline'], { cwd });
  expect(added).toMatchObject({ exitCode: 0, stdout: 'nightly\nbest\nbaseline' });
  const removed = await flowctl(['tag', 'remove', `tiny/${id}`, 'nightly', 'nope'], { cwd });
  expect(removed).toMatchObject({ exitCode: 0, stdout: 'best\nbaseline' });
  expect(removed.stderr).toMatch(/had no tag 'nope'/);
  expect(await json(['tag', 'list', 'tiny/latest'], cwd)).toEqual({ kind: 'tags', run: `tiny/${id}`, flow: 'tiny', runId: id, tags: ['best', 'baseline'] });

  const s = StoreReader.of(cwd);
  expect((await s.run('tiny', id)).tags).toEqual(['nightly']);
  expect(await s.json(`flows/tiny/tags/${id}.json`)).toMatchObject({ formatVersion: 1, added: ['best', 'baseline'], removed: ['nightly'] });

  expect((await json(['show', 'tiny', '--tag', 'best'], cwd)).runs.map((r: any) => r.runId)).toEqual([id]);
  expect((await json(['show', 'tiny', '--tag', 'nightly'], cwd)).runs).toEqual([]);
  expect((await json(['show', id], cwd)).run.tags).toEqual(['best', 'baseline']);
  // Re-adding a start tag drops it from `removed`.
  expect((await flowctl(['tag', 'add', id, 'nightly'], { cwd })).stdout).toBe('nightly\nbest\nbaseline');
});

test('bad input exits 2', async () => {
  const { id } = await runFlow(cwd, 'flow.yaml');
  const bad = await flowctl(['tag', 'add', id, 'two words'], { cwd });
  expect(bad.exitCode).toBe(2);
  expect(bad.stderr).toMatch(/Invalid tag "two words"/);
  expect((await flowctl(['tag', 'add', id], { cwd })).exitCode).toBe(2);
  const notRun = await flowctl(['tag', 'add', `${id}/hello`, 'x'], { cwd });
  expect(notRun.exitCode).toBe(2);
  expect(notRun.stderr).toMatch(/tag takes a run/);
});

test('run --tag and resume --tag take only tags tag add takes: exit 2 naming the value, and no run is started', async () => {
  const { id } = await runFlow(cwd, 'flow.yaml');
  const before = (await json(['show', 'tiny', '--json', '--limit', '0'], cwd)).runs.length;
  const long = 'x'.repeat(200);
  const bad: Array<[string, RegExp]> = [
    ['', /Invalid tag "" given to --tag/], ['a b', /Invalid tag "a b" given to --tag/], ['a\nb', /Invalid tag "a\\nb" given to --tag/],
    [long, /Invalid tag "x{60}"… \(200 characters\) given to --tag/], ['tab\there', /Invalid tag "tab\\there"/],
  ];
  for (const [tag, message] of bad) {
    for (const args of [['run', 'flow.yaml', '--tag', 'fine', '--tag', tag], ['resume', id, '--tag', tag]]) {
      const r = await flowctl(args, { cwd });
      expect([args[0], tag, r.exitCode]).toEqual([args[0], tag, 2]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(STACK);
    }
    expect((await flowctl(['tag', 'add', id, tag], { cwd })).exitCode).toBe(2);
  }
  expect((await json(['show', 'tiny', '--json', '--limit', '0'], cwd)).runs.length).toBe(before);
  // The longest valid tag is accepted everywhere, and can be removed again.
  const max = 'y'.repeat(128);
  const { id: tagged } = await runFlow(cwd, 'flow.yaml', ['--tag', max]);
  expect((await flowctl(['tag', 'remove', tagged, max], { cwd })).exitCode).toBe(0);
});

test('a tag added while the run is alive survives its heartbeat rewrites of run.json', async () => {
  const { id, done } = await startRun(cwd, 'slow.yaml');
  expect((await flowctl(['tag', 'add', id, 'live'], { cwd })).stdout).toBe('live');
  await sleep(500);
  expect((await json(['show', 'slowtag'], cwd)).runs[0]).toMatchObject({ runId: id, state: 'running', stale: false, tags: ['live'] });
  expect((await done).exitCode).toBe(0);
  const runJson = JSON.parse(await readFile(path.join(cwd, `.flowctl/flows/slowtag/runs/${id}/run.json`), 'utf8'));
  expect(runJson).toMatchObject({ state: 'succeeded', tags: [] });
  expect((await flowctl(['tag', 'list', id], { cwd })).stdout).toBe('live');
}, 60000);
