/** Every run of a store as gc sees it (records read in parallel), and naming runs for `flowctl rm`. */
import { ExitCode, FlowctlError } from '../../errors.js';
import { mapLimit } from '../fs-util.js';
import { isDamagedRecord } from '../record-check.js';
import type { Store } from '../store.js';
import type { ListedRun } from './select.js';

const PARALLEL = 16;

/** Every run of every flow (or of `flow`), with its record; a damaged record is `damage`, never a throw. */
export async function listRuns(store: Store, flow?: string): Promise<ListedRun[]> {
  const flows = flow !== undefined ? [flow] : await store.listFlows();
  const ids = (await Promise.all(flows.map(async (f) => (await store.listRuns(f)).map((runId) => ({ flow: f, runId }))))).flat();
  return mapLimit(ids, PARALLEL, async ({ flow: f, runId }): Promise<ListedRun> => {
    try {
      const record = await store.readRun(f, runId);
      return record ? { flow: f, runId, record } : { flow: f, runId };
    } catch (e) {
      if (!isDamagedRecord(e)) throw e;
      return { flow: f, runId, damage: e.message };
    }
  });
}

/**
 * The runs `rm` names: RUN_ID, FLOW/RUN_ID or FLOW/latest (the flow's newest run), looked up
 * in `runs` (listRuns). A damaged run can be named too: removing it is how it goes.
 * @throws FlowctlError RUN_NOT_FOUND (exit 2) naming the argument.
 */
export function resolveRunArgs(runs: readonly ListedRun[], args: readonly string[], location: string): ListedRun[] {
  const out = new Map<string, ListedRun>();
  for (const arg of args) {
    const slash = arg.indexOf('/');
    const [flow, id] = slash >= 0 ? [arg.slice(0, slash), arg.slice(slash + 1)] : [undefined, arg];
    let found: ListedRun | undefined;
    if (id === 'latest' && flow !== undefined) {
      found = runs.filter((r) => r.flow === flow).sort((a, b) => (a.runId < b.runId ? 1 : -1))[0];
    } else {
      const matches = runs.filter((r) => r.runId === id && (flow === undefined || r.flow === flow));
      found = matches[0];
    }
    if (!found) {
      throw new FlowctlError('RUN_NOT_FOUND', `No run '${arg}' in store ${location}`, {
        exitCode: ExitCode.Usage,
        hint: 'Name runs as RUN_ID, FLOW/RUN_ID or FLOW/latest (`flowctl show FLOW` lists them).',
      });
    }
    out.set(`${found.flow}/${found.runId}`, found);
  }
  return [...out.values()];
}
