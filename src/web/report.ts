/**
 * `flowctl report`: a run's page as one self-contained HTML file: the UI's own build (script and
 * styles inlined) with the run's data embedded (DAG, timeline, params, values, failures, log
 * tails). It loads nothing from anywhere, so it opens from file:// on a machine without network.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Run } from '../client/index.js';
import { FlowctlError } from '../errors.js';
import { defaultAppDir } from './app-dir.js';
import { logTail } from './log-tail.js';
import { mapLimit } from './limit.js';
import { buildSnapshot } from './run-snapshot.js';
import type { RunSnapshot } from './shared/types.js';

/** Log lines kept per task and stream. */
const TAIL_LINES = 40;
/** Tasks whose logs are included: failures first, then every task of a run this small. */
const TAILED_TASKS = 60;

export interface ReportData {
  kind: 'flowctl-report';
  version: string;
  generatedAt: string;
  snapshot: RunSnapshot;
  tails: Record<string, { stdout: string[]; stderr: string[] }>;
}

/** The report's HTML. @throws FlowctlError UI_NOT_BUILT when the app was not built (`npm run build`). */
export async function buildReport(run: Run, opts: { appDir?: string; version?: string } = {}): Promise<string> {
  const snapshot = await buildSnapshot(run);
  const data: ReportData = { kind: 'flowctl-report', version: opts.version ?? '', generatedAt: new Date().toISOString(), snapshot, tails: await tailsOf(run, snapshot) };
  return renderReport(data, opts.appDir ?? defaultAppDir());
}

async function tailsOf(run: Run, snap: RunSnapshot): Promise<ReportData['tails']> {
  const failed = snap.failures.map((f) => `${f.step}/${f.taskId}`);
  const all = Object.values(snap.tasks).flat().filter((t) => t.attempts > 0).map((t) => `${t.step}/${t.taskId}`);
  const names = [...new Set([...failed, ...(all.length <= TAILED_TASKS ? all : [])])].slice(0, TAILED_TASKS);
  const tails: ReportData['tails'] = {};
  await mapLimit(names, 4, async (name) => {
    const cut = name.lastIndexOf('/');
    const task = await run.step(name.slice(0, cut)).task(name.slice(cut + 1)).load();
    tails[name] = { stdout: await logTail(task, 'stdout', TAIL_LINES), stderr: await logTail(task, 'stderr', TAIL_LINES) };
  });
  return Object.fromEntries(names.filter((n) => tails[n]).map((n) => [n, tails[n]]));
}

/** The app's index.html with its script and styles inlined and `data` embedded. */
export async function renderReport(data: ReportData, appDir: string): Promise<string> {
  const index = await readFile(path.join(appDir, 'index.html'), 'utf8').catch(() => {
    throw new FlowctlError('UI_NOT_BUILT', `The web app is not built (no ${path.join(appDir, 'index.html')})`, { hint: 'Run `npm run build` in the flowctl checkout.' });
  });
  const asset = (rel: string) => readFile(path.join(appDir, rel), 'utf8');
  const script = /<script type="module"[^>]*src="\.?\/?([^"]+)"[^>]*><\/script>/.exec(index);
  const style = /<link rel="stylesheet"[^>]*href="\.?\/?([^"]+)"[^>]*>/.exec(index);
  if (!script || !style) throw new FlowctlError('UI_NOT_BUILT', `${appDir}/index.html does not look like the built app`, { hint: 'Run `npm run build` again.' });
  const [js, css] = await Promise.all([asset(script[1]), asset(style[1])]);
  const r = data.snapshot.run;
  const json = JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  // Functions as replacements: the minified code is full of `$` sequences that a replacement string would expand.
  return index
    .replace(/<title>[^<]*<\/title>/, () => `<title>${escapeHtml(`${r.flow}/${r.runId} (${r.state}) · flowctl report`)}</title>`)
    .replace(style[0], () => `<style>${css.replace(/<\/style/gi, '<\\/style')}</style>`)
    .replace(script[0], () => `<script id="flowctl-report" type="application/json">${json}</script>\n    <script type="module">${inlineJs(js)}</script>`);
}

/** Script text that cannot end its <script> element early (`</script`) or switch the HTML parser's script states (`<!--`). */
function inlineJs(js: string): string {
  return js.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\x21--');
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
