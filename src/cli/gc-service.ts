/**
 * `flowctl gc` and `flowctl rm` on top of the store's collector (src/store/gc/): flag checks,
 * opening the store, and the report (text on stdout, or --json). Exit codes: 0 done (also
 * when nothing was to remove), 1 refused (another gc holds the store, a named run is live, a
 * kept run's records are damaged), 2 usage (bad flag value, unknown run or flow).
 */
import { ExitCode, FlowctlError } from '../errors.js';
import { bytes } from '../browse/format.js';
import type { GcOptions, GcResult } from '../store/gc/collect.js';

export interface GcCommandOptions {
  datastore?: string;
  cwd: string;
  keepLast?: number;
  olderThan?: string;
  flow?: string;
  runs?: string[];
  dryRun: boolean;
  grace?: string;
  json: boolean;
}

/** Run gc (or rm, with `runs`) and print its report. */
export async function runGc(o: GcCommandOptions): Promise<void> {
  const [{ parseDuration }, { openStore }, { collectGarbage }] = await Promise.all([
    import('../spec/duration.js'), import('../store/open.js'), import('../store/gc/collect.js'),
  ]);
  const duration = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    // A bare number is ambiguous here (30 days? seconds?) and a wrong guess deletes runs: say the unit.
    if (/^\s*\d+(\.\d+)?\s*$/.test(v)) {
      throw new FlowctlError('USAGE', `--${flag} ${JSON.stringify(v)}: give a unit (s, m, h, d)`, { exitCode: ExitCode.Usage, hint: `e.g. --${flag} ${v.trim()}d for ${v.trim()} days` });
    }
    try {
      return parseDuration(v);
    } catch (e) {
      throw new FlowctlError('USAGE', `--${flag} ${JSON.stringify(v)}: ${(e as Error).message}`, { exitCode: ExitCode.Usage, hint: 'e.g. 30d, 12h or 90m' });
    }
  };
  const opts: GcOptions = {
    keepLast: o.keepLast, olderThanMs: duration('older-than', o.olderThan), flow: o.flow, runs: o.runs, dryRun: o.dryRun,
    graceMs: duration('grace', o.grace),
  };
  const store = await openStore({ datastore: o.datastore, cwd: o.cwd });
  if (o.flow !== undefined && !(await store.listFlows()).includes(o.flow)) {
    throw new FlowctlError('FLOW_NOT_FOUND', `No flow '${o.flow}' in store ${store.location}`, { exitCode: ExitCode.Usage, hint: '`flowctl show` lists the flows.' });
  }
  const result = await collectGarbage(store, opts);
  process.stdout.write(o.json ? `${JSON.stringify({ store: store.location, ...result }, null, 2)}\n` : formatGc(result, store.location));
}

/** The text report: one line per run removed, then what went and what it freed. */
export function formatGc(r: GcResult, location: string): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const lines = r.runs.map((run) => `${verb} run ${run.flow}/${run.runId} (${run.state})`);
  lines.push(
    `${r.dryRun ? 'dry run: ' : ''}${verb} ${count(r.runs.length, 'run')}, ${count(r.cacheEntries, 'cache entry', 'cache entries')}, ` +
      `${count(r.objects.count, 'object')} (${bytes(r.objects.bytes)}), ${count(r.codeSnapshots.count, 'code snapshot')}, ` +
      `${count(r.leftovers.count, 'crash leftover')} (${bytes(r.leftovers.bytes)})`,
    `${r.dryRun ? 'would free' : 'freed'} ${bytes(r.bytesFreed)} in ${location}; kept ${count(r.kept.objects, 'object')} (${bytes(r.kept.bytes)})` +
      (r.kept.recent ? `, ${r.kept.recent} of them only because they were used since ${r.cutoff}` : ''),
  );
  return `${lines.join('\n')}\n`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
