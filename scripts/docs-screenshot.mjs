// `npm run docs:screenshot`: regenerates docs/ui-run.png, the README's picture of `flowctl ui`:
// flows/train.yaml run in a temporary copy, its run page in Debian's chromium (playwright-core).
// Build first (`npm run build`). Not part of the tests: the picture changes only when the UI does.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = path.join(repo, 'bin/flowctl.js');
const out = path.join(repo, 'docs/ui-run.png');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'flowctl-docs-'));
const cwd = path.join(tmp, 'flows');
cpSync(path.join(repo, 'flows'), cwd, { recursive: true });
const env = { ...process.env, FLOWCTL_USER: 'alice', NO_COLOR: '1' };
const run = (args) => execFileSync('node', [bin, ...args], { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop();
run(['run', 'train.yaml', '--param', 'folds=3', '--tag', 'baseline']);
const id = run(['run', 'train.yaml', '--param', 'folds=5', '--param', 'lr=0.3', '--tag', 'nightly']);

const ui = spawn('node', [bin, 'ui', '--port', '0'], { cwd, env, stdio: ['ignore', 'pipe', 'ignore'] });
const url = await new Promise((resolve) => ui.stdout.on('data', (d) => resolve(String(d).trim())));
const profile = mkdtempSync(path.join(os.tmpdir(), 'flowctl-docs-chromium-'));
const browser = await chromium.launchPersistentContext(profile, {
  executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  await page.goto(`${url}#/runs/train/${id}`);
  await page.waitForSelector('[data-testid=timeline-step]');
  await page.locator('[data-testid=dag-node][data-step=fit]').click();
  await page.waitForTimeout(300);
  await page.screenshot({ path: out });
  console.log(`wrote ${path.relative(repo, out)}`);
} finally {
  await browser.close();
  ui.kill('SIGTERM');
  rmSync(profile, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
}
