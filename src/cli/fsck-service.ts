/**
 * `flowctl fsck` on top of the store's checker (src/store/fsck/): opening the store, one line per
 * problem on stdout as it is found, then a summary (or the whole result as --json). Exit codes:
 * 0 clean, 1 anything wrong (also after --repair mended it: the damage happened), 2 usage.
 */
import { bytes } from '../browse/format.js';
import type { FsckProblem, FsckResult } from '../store/fsck/check.js';

export interface FsckCommandOptions {
  datastore?: string;
  cwd: string;
  repair: boolean;
  json: boolean;
}

/** Check the store, print what was found; returns the exit code (0 clean, 1 problems). */
export async function runFsck(o: FsckCommandOptions): Promise<number> {
  const [{ openStore }, { checkStore }] = await Promise.all([import('../store/open.js'), import('../store/fsck/check.js')]);
  // Without --repair the store is opened read-only: nothing is created, and a write would throw.
  const store = await openStore({ datastore: o.datastore, cwd: o.cwd, readOnly: !o.repair });
  const result = await checkStore(store, { repair: o.repair, onProblem: o.json ? undefined : (p) => process.stdout.write(`${problemLine(p)}\n`) });
  process.stdout.write(o.json ? `${JSON.stringify({ store: store.location, ...result }, null, 2)}\n` : formatSummary(result, store.location));
  return result.ok ? 0 : 1;
}

/** One problem: what is wrong, where, and what --repair did about it. */
export function problemLine(p: FsckProblem): string {
  const more = p.references && p.references > 1 ? ` (+${p.references - 1} more references)` : '';
  return `${p.message}${more}${p.repaired ? ` [${p.repaired}]` : ''}`;
}

/** The last lines: the verdict, what was checked, and what --repair did. */
export function formatSummary(r: FsckResult, location: string): string {
  const kinds: Array<[number, string, string]> = [
    [r.objects.damaged, 'damaged object', 'damaged objects'],
    [r.objects.missing, 'missing object', 'missing objects'],
    [r.records.damaged, 'damaged record', 'damaged records'],
    [r.records.missing, 'missing record', 'missing records'],
    [r.cacheEntries.dangling, 'dangling cache entry', 'dangling cache entries'],
  ];
  const found = kinds.filter(([n]) => n > 0).map(([n, one, many]) => count(n, one, many));
  const total = kinds.reduce((a, [n]) => a + n, 0);
  const lines = [
    r.ok ? `fsck ${location}: no problems` : `fsck ${location}: ${count(total, 'problem')} (${found.join(', ')})`,
    `checked ${count(r.objects.checked, 'object')} (${bytes(r.objects.bytes)}), ${count(r.records.checked, 'record')}, ` +
      `${count(r.references, 'reference')}, ${count(r.cacheEntries.checked, 'cache entry', 'cache entries')} in ${r.seconds.toFixed(1)} s`,
  ];
  if (r.problemsOmitted > 0) lines.push(`(${r.problemsOmitted} more problems were printed above but are left out of --json)`);
  if (r.repair) {
    const x = r.repaired;
    lines.push(`repaired: quarantined ${count(x.objectsQuarantined, 'object')}, dropped ${count(x.cacheEntriesDropped, 'cache entry', 'cache entries')} ` +
      `and ${count(x.codeSnapshotsDropped, 'code snapshot')}; records are never changed`);
  } else if (!r.ok && (r.objects.damaged > 0 || r.cacheEntries.dangling > 0)) {
    lines.push('`flowctl fsck --repair` quarantines the damaged objects and drops the dangling cache entries, so the next run produces them again');
  }
  return `${lines.join('\n')}\n`;
}

function count(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
