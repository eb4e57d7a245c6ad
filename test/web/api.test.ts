/** `flowctl ui`'s HTTP API without a browser: JSON shapes, filters, artifacts, tagging, live streams, auth. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { flowctl, makeProject, runIdFrom, StoreReader } from '../helpers/cli.js';
import { startRun } from '../show/helpers.js';
import { demoProject, getJson, readSse, removeAll, startUi, type UiProcess } from './helpers.js';

let cwd: string;
let ok: string;
let failed: string;
let prod: string;
let ui: UiProcess;
const dirs: string[] = [];

beforeAll(async () => {
  cwd = await demoProject();
  dirs.push(cwd);
  ok = runIdFrom(await flowctl(['run', 'demo.yaml'], { cwd }));
  failed = runIdFrom(await flowctl(['run', 'demo.yaml', '-p', 'fail=true', '-p', 'lr=0.2', '--tag', 'nightly'], { cwd }));
  prod = runIdFrom(await flowctl(['run', 'demo.yaml', '-p', 'lr=0.3', '--production'], { cwd }));
  ui = await startUi(cwd);
}, 120_000);

afterAll(async () => {
  await ui?.stop();
  await removeAll(dirs);
});

const api = (p: string) => `${ui.origin}${p}`;

test('config, flows and the runs list with every filter and its facets', async () => {
  expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  const config = await getJson(api('/api/config'));
  expect(config.body).toEqual({ namespace: 'user:tester', datastore: path.join(cwd, '.flowctl'), version: expect.any(String) });

  const flows = (await getJson(api('/api/flows'))).body;
  expect(flows).toEqual([expect.objectContaining({ flow: 'demo', runs: 3, latest: expect.objectContaining({ runId: failed, status: 'failed' }) })]);
  expect((await getJson(api('/api/flows?namespace=production'))).body[0].latest.runId).toBe(prod);

  const ids = async (q: string) => (await getJson(api(`/api/flows/demo/runs${q}`))).body.runs.map((r: { runId: string }) => r.runId);
  const all = (await getJson(api('/api/flows/demo/runs'))).body;
  expect(all.runs.map((r: { runId: string }) => r.runId)).toEqual([prod, failed, ok]);
  expect(all).toMatchObject({ flow: 'demo', total: 3, matched: 3, truncated: false, namespaces: ['production', 'user:tester'], tags: ['nightly'] });
  expect(all.paramNames).toEqual(['lr', 'fail', 'gate']);
  expect(Object.keys(all.runs[0]).sort()).toEqual(['caughtFailures', 'durationMs', 'finishedAt', 'flow', 'namespace', 'originRunId', 'params', 'runId', 'startedAt',
    'state', 'status', 'tags', 'taskCounts', 'user'].sort());
  expect(await ids('?namespace=user:tester')).toEqual([failed, ok]);
  expect(await ids('?state=failed')).toEqual([failed]);
  expect(await ids('?state=failed&state=succeeded&namespace=user:tester')).toEqual([failed, ok]);
  expect(await ids('?tag=nightly')).toEqual([failed]);
  expect(await ids('?param=lr=0.3')).toEqual([prod]);
  expect(await ids('?param=fail=true')).toEqual([failed]);
  expect(await ids(`?q=${ok.slice(-6).toUpperCase()}`)).toEqual([ok]);
  const limited = (await getJson(api('/api/flows/demo/runs?limit=1'))).body;
  expect(limited).toMatchObject({ matched: 3, truncated: true });
  expect(limited.runs).toHaveLength(1);
  const missing = await getJson(api('/api/flows/nope/runs'));
  expect(missing.status).toBe(404);
  expect(missing.body.error).toMatch(/No flow 'nope'/);
});

test('a run: plan with needs, states and counts by step, every task, failures first with their last lines, values', async () => {
  const snap = (await getJson(api(`/api/runs/demo/${failed}`))).body;
  expect(snap.run).toMatchObject({ runId: failed, state: 'failed', status: 'failed', tags: ['nightly'], params: { lr: 0.2, fail: true } });
  expect(snap.eventsOffset).toBeNull();
  expect(snap.steps.map((s: any) => [s.step, s.needs, s.state, s.total])).toEqual([
    ['prepare', [], 'cached', 1], ['fit', ['prepare'], 'succeeded', 3], ['wait', ['fit'], 'succeeded', 1], ['check', ['wait'], 'failed', 1]]);
  expect(snap.steps[1]).toMatchObject({ foreach: true, group: false, counts: { succeeded: 3 } });
  expect(snap.tasks.fit.map((t: any) => [t.taskId, t.item, t.state, t.attempts])).toEqual([['0', '1', 'succeeded', 1], ['1', '2', 'succeeded', 1], ['2', '3', 'succeeded', 1]]);
  expect(snap.tasks.prepare[0]).toMatchObject({ state: 'cached', cachedFrom: `${ok}/prepare/0` });
  expect(snap.failures).toEqual([{ step: 'check', taskId: '0', state: 'failed', reason: 'exit code 3', caught: false, attempts: 1, lastLines: ['check failed: auc too low'] }]);
  expect(snap.values).toEqual([
    { step: 'fit', taskId: '0', values: { auc: 0.8 } }, { step: 'fit', taskId: '1', values: { auc: 0.9 } }, { step: 'fit', taskId: '2', values: { auc: 1 } }]);
  // `latest` works as in `flowctl show`, and a cached snapshot still carries the current tags.
  expect((await getJson(api('/api/runs/demo/latest'))).body.run.runId).toBe(prod);
  const unknown = await getJson(api('/api/runs/demo/20990101T000000.000Z-nope00'));
  expect(unknown.status).toBe(404);
  expect(unknown.body).toMatchObject({ code: 'NOT_FOUND', error: expect.stringMatching(/No run/) });
});

test('a task: attempts with exit codes, artifacts, and the logs of the task a cached one reused', async () => {
  const check = (await getJson(api(`/api/runs/demo/${failed}/steps/check/tasks/0`))).body;
  expect(check.task).toMatchObject({ state: 'failed', reason: 'exit code 3', attempts: 1 });
  expect(check.attempts).toEqual([expect.objectContaining({ attempt: 1, state: 'failed', exitCode: 3 })]);
  expect(check.artifacts).toEqual([]);
  // It ran: its key differs from the same task of the run before it in its command (`check.mjs true`): task.cacheStatus(), as `show` prints.
  expect(check.cache).toMatchObject({
    status: 'ran', reason: 'changed', comparedWith: { pathspec: `demo/${ok}/check/0`, runId: ok, step: 'check', taskId: '0', state: 'succeeded' },
    changes: [{ part: 'command', from: 'node scripts/check.mjs false', to: 'node scripts/check.mjs true', text: 'command: node scripts/check.mjs false → node scripts/check.mjs true' }],
  });
  expect((await getJson(api(`/api/runs/demo/${ok}/steps/check/tasks/0`))).body.cache).toMatchObject({ status: 'ran', reason: 'new', comparedWith: null }); // no earlier run
  const cached = (await getJson(api(`/api/runs/demo/${failed}/steps/prepare/tasks/0`))).body;
  expect(cached.attempts).toEqual([]);
  expect(cached.cache).toMatchObject({ status: 'reused', reuse: 'cache', reusedFrom: `demo/${ok}/prepare/0` });
  expect(cached.logsOf).toMatchObject({ pathspec: `demo/${ok}/prepare/0`, runId: ok, attempts: [expect.objectContaining({ attempt: 1, exitCode: 0 })] });
  expect(cached.artifacts.map((a: any) => [a.path, a.type])).toEqual([['data.csv', 'file'], ['table.tsv', 'file'], ['meta.json', 'file'], ['plot.png', 'file'],
    ['report.html', 'file'], ['notes.txt', 'file'], ['blob.bin', 'file'], ['reports', 'dir']]);
  expect(cached.artifacts[7].files).toEqual([expect.objectContaining({ path: 'reports/summary.csv', size: 8 })]);
  const raw = await fetch(api(`/api/logs/raw?flow=demo&run=${ok}&step=prepare&task=0&stream=stdout`));
  expect(await raw.text()).toBe('made 1500 rows\n');
  const bad = await getJson(api(`/api/logs/raw?flow=demo&run=${ok}&step=prepare&task=0&stream=stdin`));
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatch(/stream must be stdout or stderr/);
});

test('artifacts: preview kinds, raw bytes served sandboxed, a CSV table of the first 1,000 rows, text heads, downloads', async () => {
  const q = (p: string) => `flow=demo&run=${ok}&step=prepare&task=0&path=${encodeURIComponent(p)}`;
  const kinds: Record<string, [string, string]> = {
    'data.csv': ['table', 'text/csv; charset=utf-8'], 'table.tsv': ['table', 'text/tab-separated-values; charset=utf-8'], 'meta.json': ['json', 'application/json; charset=utf-8'],
    'plot.png': ['image', 'image/png'], 'report.html': ['html', 'text/html; charset=utf-8'], 'notes.txt': ['text', 'text/plain; charset=utf-8'],
    'blob.bin': ['binary', 'application/octet-stream'], reports: ['dir', 'application/octet-stream'], 'reports/summary.csv': ['table', 'text/csv; charset=utf-8'],
  };
  for (const [p, [preview, contentType]] of Object.entries(kinds)) {
    expect([p, (await getJson(api(`/api/artifact?${q(p)}`))).body]).toEqual([p, expect.objectContaining({ path: p, preview, contentType })]);
  }
  const s = StoreReader.of(cwd);
  const png = await fetch(api(`/api/artifact/raw?${q('plot.png')}`));
  expect(png.headers.get('content-type')).toBe('image/png');
  expect(png.headers.get('content-security-policy')).toBe('sandbox');
  expect(Buffer.from(await png.arrayBuffer()).equals(await readFile(s.objectPath((await s.task('demo', ok, 'prepare')).outputs.find((o: any) => o.path === 'plot.png').hash)))).toBe(true);
  const html = await fetch(api(`/api/artifact/raw?${q('report.html')}`));
  expect(html.headers.get('content-security-policy')).toBe('sandbox allow-scripts allow-popups');
  expect(html.headers.get('x-content-type-options')).toBe('nosniff');
  const download = await fetch(api(`/api/artifact/raw?${q('notes.txt')}&download=1`));
  expect(download.headers.get('content-disposition')).toBe('attachment; filename="notes.txt"');
  expect(await download.text()).toBe('plain notes\nsecond line\n');
  const head = await fetch(api(`/api/artifact/raw?${q('data.csv')}&head=20`));
  expect(await head.text()).toBe('id,name,score\n1,row ');

  const table = (await getJson(api(`/api/artifact/table?${q('data.csv')}`))).body;
  expect(table.columns).toEqual(['id', 'name', 'score']);
  expect(table.rows).toHaveLength(1000);
  expect(table.rows[0]).toEqual(['1', 'row 1', '0.1']);
  expect(table.rows[999]).toEqual(['1000', 'row 1000', '3']); // 1000 % 97 / 10
  expect(table).toMatchObject({ truncated: true, delimiter: ',' });
  expect((await getJson(api(`/api/artifact/table?${q('table.tsv')}`))).body).toEqual({ columns: ['a', 'b'], rows: [['1', '2'], ['3', '4']], truncated: false, delimiter: '\t' });
  const dir = await getJson(api(`/api/artifact/raw?${q('reports')}`));
  expect(dir.status).toBe(400);
  const none = await getJson(api(`/api/artifact?${q('nope.txt')}`));
  expect(none.status).toBe(404);
  expect(none.body.error).toMatch(/has no output 'nope.txt'/);
});

test('compare: params, values, changed outputs and durations of 2 runs; fewer than 2 is a 400', async () => {
  const v = (await getJson(api(`/api/compare?runs=demo/${ok},demo/${failed}`))).body;
  expect(v.runs.map((r: any) => r.runId)).toEqual([ok, failed]);
  expect(v.params).toEqual([{ name: 'lr', values: [0.1, 0.2], differs: true }, { name: 'fail', values: [false, true], differs: true }, { name: 'gate', values: ['', ''], differs: false }]);
  expect(v.values).toEqual([
    { key: 'fit/0.auc', values: [0.7, 0.8], differs: true, numeric: true }, { key: 'fit/1.auc', values: [0.8, 0.9], differs: true, numeric: true },
    { key: 'fit/2.auc', values: [0.9, 1], differs: true, numeric: true }]);
  expect(v.outputs.map((o: any) => o.key)).toEqual(['fit/0/metrics.json', 'fit/1/metrics.json', 'fit/2/metrics.json']);
  expect(v.durations.map((d: any) => d.step)).toEqual(['prepare', 'fit', 'wait', 'check']);
  expect(v.durations[1].values.every((x: unknown) => typeof x === 'number')).toBe(true);
  const one = await getJson(api(`/api/compare?runs=demo/${ok}`));
  expect(one.status).toBe(400);
  expect(one.body.error).toMatch(/2 to 12 runs/);
});

test('tagging is the one change: JSON only, from the UI origin only; bad tags are refused', async () => {
  const url = api(`/api/runs/demo/${ok}/tags`);
  const post = (body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) => getJson(url, { method: 'POST', headers, body: JSON.stringify(body) });
  const added = await post({ add: ['best', 'v1'] });
  expect(added.status).toBe(200);
  expect(added.body.tags).toEqual(['best', 'v1']);
  expect((await post({ remove: ['v1'] })).body.tags).toEqual(['best']);
  const r = await flowctl(['tag', 'list', ok], { cwd });
  expect(r.stdout).toMatch(/best/);
  expect((await getJson(api(`/api/runs/demo/${ok}`))).body.run.tags).toEqual(['best']);
  expect((await getJson(api('/api/flows/demo/runs?tag=best'))).body.runs.map((x: any) => x.runId)).toEqual([ok]);

  expect((await post({ add: ['x'] }, { 'content-type': 'text/plain' })).status).toBe(415);
  const foreign = await post({ add: ['x'] }, { 'content-type': 'application/json', origin: 'http://evil.example' });
  expect(foreign.status).toBe(403);
  expect(foreign.body.error).toMatch(/must come from the UI itself/);
  const badTag = await post({ add: ['two words'] });
  expect(badTag.status).toBe(400);
  expect((await post({ add: 'best' })).status).toBe(400);
  expect((await getJson(api(`/api/runs/demo/${ok}`))).body.run.tags).toEqual(['best']);
});

test('names that would walk out of their place in the store are refused before reaching it', async () => {
  const bad = [
    `/api/runs/demo/..%2F..%2Fx`, `/api/runs/demo/${ok}/steps/..%2F..%2F..%2F..%2Fetc/tasks/0`, `/api/runs/..%2Fdemo/${ok}`, `/api/flows/..%2F..%2Fx/runs`,
    `/api/logs/raw?flow=demo&run=${ok}&step=prepare&task=..%2F..%2F..`, `/api/artifact?flow=demo&run=..&step=prepare&task=0&path=data.csv`,
    `/api/live/runs?flow=..`,
  ];
  for (const p of bad) {
    const r = await fetch(api(p));
    expect([p, r.status]).toEqual([p, 400]);
    expect(((await r.json()) as { error: string }).error).toMatch(/^Not a (flow name|run id|step name|task id)/);
  }
});

test('a loopback server refuses a Host that is not a loopback name (DNS rebinding)', async () => {
  const { request } = await import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(api('/api/config'), { headers: { host: 'evil.example:80' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('error', reject);
    req.end();
  });
  expect(status).toBe(403);
  expect((await fetch(`http://localhost:${new URL(ui.origin).port}/api/config`)).status).toBe(200);
});

test('live streams: a finished log, a run followed event by event to its end, a run started after the runs stream opened', async () => {
  const log = await readSse(api(`/api/logs/live?flow=demo&run=${failed}&step=check&task=0&stream=stderr`), (e) => e.event === 'end');
  expect(log.map((e) => e.event)).toEqual(['attempt', 'data', 'end']);
  expect(log[1].data).toEqual({ attempt: 1, text: 'check failed: auc too low\n' });
  expect(log[2].data).toEqual({ reason: 'task-finished', state: 'failed' });

  const gate = path.join(cwd, 'gate-open');
  let liveId = '';
  let started: Promise<unknown> | undefined;
  const runs = await readSse(api(`/api/live/runs?flow=demo&since=${prod}`), (e) => e.event === 'runs' && e.data.some((r: any) => r.status === 'running'), {
    onOpen: () => { started = startRun(cwd, 'demo.yaml', { FLOWCTL_PARAM_GATE: gate }).then((r) => { liveId = r.id; return r.done; }); },
    timeoutMs: 30_000,
  });
  const row = runs.at(-1)!.data.find((r: any) => r.status === 'running');
  expect(row).toMatchObject({ flow: 'demo', state: 'running', params: { gate } });
  const snap = (await getJson(api(`/api/runs/demo/${row.runId}`))).body;
  expect(snap.eventsOffset).toEqual(expect.any(Number));
  const events = readSse(api(`/api/runs/demo/${row.runId}/live?from=${snap.eventsOffset}`), (e) => e.event === 'end', { timeoutMs: 40_000 });
  // Open the gate once the wait step runs: the stream then carries the rest of the run.
  for (let i = 0; i < 300; i++) {
    const s = (await getJson(api(`/api/runs/demo/${row.runId}`))).body;
    if (s.tasks.wait?.[0]?.state === 'running') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await writeFile(gate, '');
  const got = await events;
  const types = got.filter((e) => e.event === 'events').flatMap((e) => e.data.events.map((x: any) => x.type));
  expect(types).toContain('task-finished');
  expect(types.at(-1)).toBe('run-finished');
  expect(types).not.toContain('log');
  expect(got.at(-1)).toEqual({ event: 'end', data: { reason: 'run-finished' } });
  await started;
  expect(liveId).toBe(row.runId);
}, 90_000);

test('--host beyond loopback requires the printed token: query once (then a cookie), or a Bearer header', async () => {
  const wide = await startUi(cwd, ['--host', '0.0.0.0']);
  try {
    const token = new URL(wide.url).searchParams.get('token');
    expect(token).toMatch(/^[\w-]{20,}$/);
    for (let i = 0; i < 40 && !wide.stderr().includes('on this machine'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(wide.stderr()).toContain(`on this machine: http://127.0.0.1:${new URL(wide.url).port}/?token=${token}`);
    const base = wide.origin;
    const denied = await getJson(`${base}/api/config`);
    expect(denied.status).toBe(401);
    expect(denied.body.error).toMatch(/token is required/);
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await getJson(`${base}/api/config?token=wrong`)).status).toBe(401);
    const first = await fetch(`${base}/?token=${token}`, { redirect: 'manual' });
    expect(first.status).toBe(302);
    expect(first.headers.get('location')).toBe('/');
    const cookie = first.headers.get('set-cookie')!.split(';')[0];
    expect(cookie).toMatch(new RegExp(`^flowctl-ui-${new URL(wide.url).port}=`));
    expect((await getJson(`${base}/api/config`, { headers: { cookie } })).status).toBe(200);
    expect((await getJson(`${base}/api/config`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await fetch(`${base}/`, { headers: { cookie } })).status).toBe(200);
  } finally {
    await wide.stop();
  }
}, 30_000);

test('without --port: 8642, or a free port when it is taken; --open hands the URL to $BROWSER and never fails', async () => {
  const opener = path.join(cwd, 'open.sh');
  const opened = path.join(cwd, 'opened.txt');
  await writeFile(opener, `#!/bin/sh\necho "$1" > ${opened}\n`, { mode: 0o755 });
  const a = await startUi(cwd, ['--open'], { BROWSER: opener }, { defaultPort: true });
  const b = await startUi(cwd, ['--open'], { BROWSER: path.join(cwd, 'no-such-browser') }, { defaultPort: true });
  try {
    expect(new URL(a.url).port).not.toBe(new URL(b.url).port);
    for (const u of [a, b]) expect((await fetch(`${u.origin}/api/config`)).status).toBe(200);
    for (let i = 0; i < 50 && !(await readFile(opened, 'utf8').catch(() => '')); i++) await new Promise((r) => setTimeout(r, 100));
    expect((await readFile(opened, 'utf8')).trim()).toBe(a.url);
    for (let i = 0; i < 50 && !b.stderr().includes('Could not open a browser'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(b.stderr()).toContain(`Could not open a browser (${path.join(cwd, 'no-such-browser')}); open ${b.url} yourself.`);
  } finally {
    await a.stop();
    await b.stop();
  }
  expect((await a.proc).exitCode).toBe(0); // SIGTERM (or Ctrl-C) is how a server ends: not an error
}, 30_000);

test('bad usage: a taken --port exits 2 naming it; a missing store exits 2', async () => {
  const port = new URL(ui.origin).port;
  const r = await flowctl(['ui', '--port', port], { cwd });
  expect(r.exitCode).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`Port ${port} on 127.0.0.1 is in use`));
  const none = await flowctl(['ui', '--datastore', path.join(cwd, 'nowhere')], { cwd });
  expect(none.exitCode).toBe(2);
  expect(none.stderr).toMatch(/No store at/);
  expect(none.stderr).not.toMatch(/\n\s+at /);
});

test('artifacts with any file name download and preview: RFC 6266 Content-Disposition with an ASCII fallback and UTF-8 filename*', async () => {
  const names = ['数据-✓.csv', 'é "quoted".txt', "it's (1) *.txt", 'plain.txt'];
  const own = await makeProject({
    'names.yaml': `
version: 1
name: names
steps:
  make:
    run: |
${names.map((n) => `      printf 'a,b\\n1,2\\n' > ${shellQuote(n)}`).join('\n')}
    outputs: ${JSON.stringify(names)}
`,
  });
  dirs.push(own);
  const run = await flowctl(['run', 'names.yaml'], { cwd: own });
  expect(run.exitCode).toBe(0);
  const id = runIdFrom(run);
  const ownUi = await startUi(own);
  try {
    const raw = (n: string, extra = '') => fetch(`${ownUi.origin}/api/artifact/raw?flow=names&run=${id}&step=make&task=0&path=${encodeURIComponent(n)}${extra}`);
    const expected: Record<string, string> = {
      '数据-✓.csv': `filename="__-_.csv"; filename*=UTF-8''%E6%95%B0%E6%8D%AE-%E2%9C%93.csv`,
      'é "quoted".txt': `filename="_ _quoted_.txt"; filename*=UTF-8''%C3%A9%20%22quoted%22.txt`,
      "it's (1) *.txt": `filename="it's (1) *.txt"`,
      'plain.txt': 'filename="plain.txt"',
    };
    for (const n of names) {
      for (const [extra, type] of [['', 'inline'], ['&download=1', 'attachment']] as const) {
        const r = await raw(n, extra);
        expect([n, r.status, r.headers.get('content-disposition')]).toEqual([n, 200, `${type}; ${expected[n]}`]);
        expect(await r.text()).toBe('a,b\n1,2\n');
      }
      const star = expected[n]!.match(/filename\*=UTF-8''(.+)$/)?.[1];
      if (star) expect(decodeURIComponent(star)).toBe(n);
      expect((await getJson(`${ownUi.origin}/api/artifact?flow=names&run=${id}&step=make&task=0&path=${encodeURIComponent(n)}`)).body).toMatchObject({ path: n, preview: n.endsWith('.csv') ? 'table' : 'text' });
    }
    const table = await getJson(`${ownUi.origin}/api/artifact/table?flow=names&run=${id}&step=make&task=0&path=${encodeURIComponent(names[0]!)}`);
    expect(table.body).toMatchObject({ columns: ['a', 'b'], rows: [['1', '2']] });
  } finally {
    await ownUi.stop();
  }
});

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
