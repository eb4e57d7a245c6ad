/**
 * The web UI end to end in a real browser: Debian's chromium driven by playwright-core (never a
 * downloaded browser). Screenshots of every page land in test-results/web/. Without
 * /usr/bin/chromium the tests are skipped, saying why, except under CI (CI=true), where
 * .ci/run installs chromium and a missing browser fails.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { flowctl, REPO, runIdFrom } from '../helpers/cli.js';
import { startRun } from '../show/helpers.js';
import { demoProject, removeAll, startUi, type UiProcess } from './helpers.js';
import { poll } from './locator-matchers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const SHOTS = path.join(REPO, 'test-results/web');
const ci = process.env.CI === 'true';
const runnable = existsSync(CHROMIUM) || ci;
if (!runnable) process.stderr.write(`browser tests skipped: ${CHROMIUM} is missing (apt-get install chromium); under CI=true they run and .ci/run installs it\n`);
const maybe = runnable ? describe : describe.skip;

maybe('web UI in chromium', () => {
  let cwd: string;
  let profile: string;
  let ok: string;
  let failed: string;
  let ui: UiProcess;
  let browser: BrowserContext;
  const dirs: string[] = [];

  beforeAll(async () => {
    cwd = await demoProject();
    profile = await mkdtemp(path.join(os.tmpdir(), 'flowctl-chromium-'));
    dirs.push(cwd, profile);
    await mkdir(SHOTS, { recursive: true });
    ok = runIdFrom(await flowctl(['run', 'demo.yaml'], { cwd }));
    failed = runIdFrom(await flowctl(['run', 'demo.yaml', '-p', 'fail=true', '-p', 'lr=0.2'], { cwd }));
    ui = await startUi(cwd);
    browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1400, height: 1000 } });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
    await removeAll(dirs);
  });

  /** A new tab that fails the test on any script error. */
  async function open(url: string): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('close', () => expect(errors).toEqual([]));
    await page.goto(url);
    return page;
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  test('flows → runs list → run → task → its log', async () => {
    const page = await open(`${ui.origin}/`);
    await page.getByTestId('flow-row').getByRole('link', { name: 'demo' }).waitFor();
    await shot(page, 'flows');
    await page.getByRole('link', { name: 'demo', exact: true }).click();
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    await shot(page, 'runs');
    // Filters: a state, a param, part of a run id.
    await page.getByTestId('filter-state-failed').click();
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('run-row')).toHaveAttribute('data-run', failed);
    await page.getByTestId('filter-state-failed').click();
    await page.getByTestId('filter-param').fill('lr=0.1');
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('run-row')).toHaveAttribute('data-run', ok);
    await page.getByTestId('filter-param').fill('');
    await page.getByTestId('filter-q').fill(failed.slice(-6));
    await expect(page.getByTestId('run-row')).toHaveAttribute('data-run', failed);
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await page.getByTestId('filter-q').fill('');
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    await page.getByRole('link', { name: ok }).click();
    await page.getByTestId('dag-node').first().waitFor();
    expect(await page.getByTestId('run-summary').textContent()).toContain(`demo/${ok}`);
    await shot(page, 'run');
    await page.locator('[data-testid=dag-node][data-step=prepare]').click();
    await page.getByTestId('task-row').getByRole('link', { name: '0' }).click();
    await page.getByTestId('task-summary').waitFor();
    await expect(page.getByTestId('task-log')).toContainText('made 1500 rows');
    expect(await page.getByTestId('log-status').textContent()).toMatch(/ended \(attempt finished: succeeded\)/);
    await page.getByTestId('stream-stderr').click();
    await expect(page.getByTestId('task-log')).toContainText('(no output yet)');
    await shot(page, 'task');
    await page.close();
  });

  test('the DAG shows every step\'s state and fan-out progress; failures come first; tags are edited in place', async () => {
    const page = await open(`${ui.origin}/#/runs/demo/${failed}`);
    const node = (step: string) => page.locator(`[data-testid=dag-node][data-step=${step}]`);
    await node('check').waitFor();
    expect(await Promise.all(['prepare', 'fit', 'wait', 'check'].map((s) => node(s).getAttribute('data-state')))).toEqual(['cached', 'succeeded', 'succeeded', 'failed']);
    await expect(node('fit')).toContainText('3/3');
    const sections = await page.locator('main > section').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset.testid));
    expect(sections[0]).toBe('failures');
    await expect(page.getByTestId('failure')).toContainText('check failed: auc too low');
    await expect(page.getByTestId('timeline-step')).toHaveCount(4);
    await page.getByLabel('add tag').fill('reviewed');
    await page.getByLabel('add tag').press('Enter');
    await expect(page.getByTestId('tag')).toHaveText(['reviewed×']);
    expect((await flowctl(['tag', 'list', failed], { cwd })).stdout).toContain('reviewed');
    await shot(page, 'run-failed');
    await page.getByTestId('failure').getByRole('link', { name: 'check/0' }).click();
    await expect(page.getByTestId('attempts-table')).toContainText('3'); // the exit code
    await expect(page.getByTestId('why-not-cached')).toContainText(`command: node scripts/check.mjs false → node scripts/check.mjs true (compared with ${ok}/check/0)`);
    await page.close();
  });

  test('a run started after the page opened appears, and its page, DAG and log update live without a reload', async () => {
    const runs = await open(`${ui.origin}/#/flows/demo`);
    await expect(runs.getByTestId('run-row')).toHaveCount(2);
    await runs.evaluate(() => { (globalThis as unknown as { marker: number }).marker = 1; });
    const gate = path.join(cwd, 'gate-browser');
    const started = await startRun(cwd, 'demo.yaml', { FLOWCTL_PARAM_GATE: gate });
    const row = runs.locator(`[data-testid=run-row][data-run="${started.id}"]`);
    await row.waitFor({ timeout: 20_000 });
    await expect(row).toContainText('running');
    await row.getByRole('link', { name: started.id }).click();
    const node = (step: string) => runs.locator(`[data-testid=dag-node][data-step=${step}]`);
    await expect(node('wait')).toHaveAttribute('data-state', 'running', { timeout: 30_000 });
    await expect(runs.getByTestId('live-indicator')).toHaveClass(/open/);
    await expect(node('check')).toHaveAttribute('data-state', 'pending');
    await shot(runs, 'run-live');
    // The task's log, followed in another tab while the task waits.
    const task = await open(`${ui.origin}/#/runs/demo/${started.id}/wait/0`);
    await expect(task.getByTestId('task-log')).toContainText('waiting for the gate', { timeout: 20_000 });
    await writeFile(gate, '');
    await expect(task.getByTestId('task-log')).toContainText('gate open', { timeout: 20_000 });
    // check's command is that of the first run: it is reused from the cache as soon as wait is done.
    await expect(node('check')).toHaveAttribute('data-state', 'cached', { timeout: 30_000 });
    await expect(node('wait')).toHaveAttribute('data-state', 'succeeded');
    await expect(runs.getByTestId('run-summary').locator('[data-state]').first()).toHaveAttribute('data-state', 'succeeded', { timeout: 10_000 });
    expect(await runs.evaluate(() => (globalThis as unknown as { marker?: number }).marker)).toBe(1); // never reloaded
    await shot(task, 'task-live');
    expect((await started.done).exitCode).toBe(0);
    await task.close();
    await runs.close();
  }, 90_000);

  test('artifact previews: a CSV table of 1,000 rows, an image, a JSON tree, an HTML report in a sandbox, a directory', async () => {
    const page = await open(`${ui.origin}/#/runs/demo/${ok}/prepare/0`);
    const preview = page.getByTestId('artifact-preview');
    await expect(page.getByTestId('csv-table').locator('tbody tr')).toHaveCount(1000);
    await expect(page.getByTestId('csv-table').locator('thead th')).toHaveText(['#', 'id', 'name', 'score']);
    await shot(page, 'artifact-csv');
    await page.getByTestId('artifact-link').filter({ hasText: 'plot.png' }).click();
    await expect(preview).toHaveAttribute('data-kind', 'image');
    expect(await poll(() => page.getByTestId('artifact-image').evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), (w) => w === 48)).toBe(48);
    await shot(page, 'artifact-image');
    await page.getByTestId('artifact-link').filter({ hasText: 'meta.json' }).click();
    await expect(page.getByTestId('json-tree')).toContainText('nested');
    await expect(page.getByTestId('json-tree')).toContainText('42');
    await shot(page, 'artifact-json');
    await page.getByTestId('artifact-link').filter({ hasText: 'report.html' }).click();
    await expect(page.getByTestId('artifact-html')).toHaveAttribute('sandbox', 'allow-scripts allow-popups');
    const frame = page.frameLocator('[data-testid=artifact-html]');
    await expect(frame.locator('#card')).toHaveText('Model card');
    await expect(frame.locator('body')).toHaveAttribute('data-ran', 'yes');
    // Sandboxed: the report's scripts cannot reach the UI's page.
    expect(await page.getByTestId('artifact-html').evaluate((f) => (f as unknown as { contentDocument: unknown }).contentDocument)).toBeNull();
    await page.getByTestId('artifact-link').filter({ hasText: 'reports/' }).click();
    await page.getByRole('button', { name: 'summary.csv' }).click();
    await expect(page.getByTestId('csv-table').last()).toContainText('x');
    await page.getByTestId('artifact-link').filter({ hasText: 'notes.txt' }).click();
    await expect(page.getByTestId('artifact-text')).toHaveText('plain notes\nsecond line\n');
    await page.close();
  });

  test('compare two runs: params and values side by side, with a chart', async () => {
    const page = await open(`${ui.origin}/#/flows/demo`);
    for (const id of [ok, failed]) await page.locator(`[data-testid=run-row][data-run="${id}"] [data-testid=run-select]`).check();
    await page.getByTestId('compare-button').click();
    const params = page.getByTestId('compare-params');
    await expect(params.locator('tr', { hasText: 'lr' }).locator('td')).toHaveText(['0.1', '0.2']);
    await expect(params.locator('tr', { hasText: 'lr' })).toHaveAttribute('data-differs', 'true');
    await expect(params.locator('tr', { hasText: 'gate' })).toHaveAttribute('data-differs', 'false');
    const values = page.getByTestId('compare-values');
    await expect(values.locator('tr', { hasText: 'fit/0.auc' }).locator('td')).toHaveText(['0.7', '0.8']);
    await expect(page.getByTestId('compare-outputs')).toContainText('fit/2/metrics.json');
    const size = await page.getByTestId('values-chart').locator('canvas').evaluate((c) => [(c as unknown as { width: number }).width, (c as unknown as { height: number }).height]);
    expect(size[0]).toBeGreaterThan(100);
    expect(size[1]).toBeGreaterThan(100);
    await shot(page, 'compare');
    await page.close();
  });

  test('a report file opens offline from file:// with its DAG, failures, timeline and log tails', async () => {
    const file = path.join(cwd, 'report.html');
    const r = await flowctl(['report', `demo/${failed}`, '-o', file], { cwd });
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toBe(file);
    const page = await browser.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (q) => requests.push(q.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    await browser.setOffline(true);
    try {
      await page.goto(`file://${file}`);
      await expect(page.locator('[data-testid=dag-node][data-step=check]')).toHaveAttribute('data-state', 'failed');
      await expect(page.getByTestId('failure')).toContainText('check failed: auc too low');
      await expect(page.getByTestId('timeline-step')).toHaveCount(4);
      await expect(page.getByTestId('params')).toContainText('0.2');
      await expect(page.getByTestId('values')).toContainText('auc');
      await expect(page.getByTestId('log-tails')).toContainText('fold 1 epoch 3');
      await shot(page, 'report');
    } finally {
      await browser.setOffline(false);
    }
    expect(errors).toEqual([]);
    expect(requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'))).toEqual([]);
    await rm(file);
    await page.close();
  });
});
