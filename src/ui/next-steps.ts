/** Where to look after a run: the commands both the live view's summary and plain output end with. */

export interface NextStep {
  /** `store`, `show`, `logs` or `resume`. */
  label: string;
  /** A path (store) or a command to copy. */
  command: string;
}

/**
 * @example nextSteps({ runId: 'R', failedTask: 'fit/2', resumable: true })
 * // => [{ label: 'show', command: 'flowctl show R' }, { label: 'logs', command: 'flowctl logs R/fit/2' }, { label: 'resume', command: 'flowctl resume R' }]
 */
export function nextSteps(o: { runId: string; datastore?: string; failedTask?: string; resumable: boolean }): NextStep[] {
  const out: NextStep[] = [];
  if (o.datastore) out.push({ label: 'store', command: o.datastore });
  out.push({ label: 'show', command: `flowctl show ${o.runId}` });
  if (o.failedTask) out.push({ label: 'logs', command: `flowctl logs ${o.runId}/${o.failedTask}` });
  if (o.resumable) out.push({ label: 'resume', command: `flowctl resume ${o.runId}` });
  return out;
}
