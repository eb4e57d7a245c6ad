/**
 * The closing block of the live view: how the run ended, which tasks failed and why, and
 * where to look next (store, `show`, `logs`, `resume`). On a narrow terminal the parts
 * that would be cut go on lines of their own, and commands wrap rather than lose their end.
 */
import { nextSteps } from '../next-steps.js';
import { LOOK } from '../../term/look.js';
import type { Counts, ViewState } from './state.js';
import { clock, plural, widthOf, wrapping, type Line, type Segment } from './text.js';

const FAILURES_SHOWN = 5;
const FAILURE_LINES_SHOWN = 3;

export function summary(s: ViewState, columns: number): Line[] {
  const f = s.finished;
  const lines: Line[] = [[]];
  /** `head` then `tail` on one line if it fits, else `tail` on the next line, indented. */
  const joined = (head: Segment[], tail: Segment[], indent: string) => {
    if (widthOf(head) + widthOf(tail) <= columns) lines.push([...head, ...tail]);
    else lines.push(head, [{ ...tail[0]!, text: indent + tail[0]!.text.replace(/^( · |: )/, '') }, ...tail.slice(1)]);
  };

  if (!f) {
    lines.push([{ text: '■ the run ended without a result', color: 'yellow', bold: true }]);
  } else {
    const ok = f.state === 'succeeded';
    const look = ok ? { ...LOOK.succeeded, color: f.caughtFailures ? LOOK.caught.color : LOOK.succeeded.color }
      : f.state === 'interrupted' ? LOOK.interrupted : LOOK.failed;
    const caught = f.caughtFailures ? ` with ${plural(f.caughtFailures, 'caught failure')}` : '';
    joined([{ text: `${look.icon} run ${f.state}${caught} in ${clock(f.durationMs)}`, color: look.color, bold: true }], [{ text: ` · ${countsText(f.counts)}` }], '  ');
  }

  // Tasks stopped by Ctrl-C are not failures to read about: one line names them all.
  const failures = s.failures;
  if (s.interruptedCount) {
    const more = s.interruptedCount - s.interrupted.length;
    lines.push([{ text: `  ${LOOK.interrupted.icon} interrupted: ${s.interrupted.join(', ')}${more > 0 ? `, … and ${more} more` : ''}`, color: LOOK.interrupted.color }]);
  }
  for (const x of failures.slice(0, FAILURES_SHOWN)) {
    const head: Segment = { text: `  ✖ ${x.step}/${x.taskId}${x.caught ? ' (caught)' : ''}`, color: x.caught ? 'yellow' : 'red' };
    if (x.reason) joined([head], [{ text: `: ${x.reason}` }], '    ');
    else lines.push([head]);
    for (const l of x.lastLines.slice(-FAILURE_LINES_SHOWN)) lines.push([{ text: `    │ ${l}`, color: 'gray' }]);
  }
  const more = s.failureCount - Math.min(failures.length, FAILURES_SHOWN);
  if (more > 0) lines.push([{ text: `  … and ${plural(more, 'more failure')}`, color: 'gray' }]);
  if (f?.error) lines.push(wrapping([{ text: `  error: ${f.error}`, color: 'red' }]));

  const hint = (label: string, text: string) => {
    const head: Segment = { text: `  ${label.padEnd(7)}`, color: 'gray' };
    if (widthOf([head]) + text.length <= columns) lines.push([head, { text }]);
    else lines.push([{ ...head, text: `  ${label}` }], wrapping([{ text: `    ${text}` }]));
  };
  if (s.runId) {
    const first = failures.find((x) => !x.caught) ?? failures[0];
    const steps = nextSteps({
      runId: s.runId, datastore: s.datastore, failedTask: first && `${first.step}/${first.taskId}`, resumable: f !== undefined && f.state !== 'succeeded',
    });
    for (const h of steps) hint(h.label, h.command);
  } else if (s.datastore) {
    hint('store', s.datastore);
  }
  return lines;
}

function countsText(c: Counts): string {
  const order = ['succeeded', 'cached', 'failed', 'interrupted', 'skipped'] as const;
  const total = order.reduce((n, k) => n + (c[k] ?? 0), 0);
  const parts = order.filter((k) => c[k]).map((k) => `${c[k]} ${k}`);
  return `${plural(total, 'task')}${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
