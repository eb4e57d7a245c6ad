/**
 * The live view's own process. LiveReporter starts it with the terminal as its stderr and
 * feeds it the run's events as NDJSON on stdin; it draws until stdin ends, then draws the
 * final frame and exits. Loading ink and react, folding events and drawing all happen here,
 * so the flowctl process that schedules and spawns tasks stays small and undisturbed (a
 * bigger process makes every task's fork slower), and at low priority: when CPUs are
 * busy the run comes first.
 */
import { appendFile } from 'node:fs/promises';
import { setPriority } from 'node:os';
import type { RunEvent } from '../../runtime/events.js';
import { OUTPUT_GONE_EXIT_CODE } from './exit-codes.js';
import { LiveSession } from './session.js';

try {
  setPriority(19);
} catch {
  // not permitted: normal priority it is
}
// Ctrl-C reaches the whole process group: the run handles it and ends our input when done.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => {});

const session = new LiveSession(
  { stream: process.stderr, intervalMs: Number(process.env.FLOWCTL_LIVE_INTERVAL_MS) || undefined },
  () => import('./ink-renderer.js'),
);

let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  const lines = (pending + chunk).split('\n');
  pending = lines.pop()!;
  for (const line of lines) if (line) session.onEvent(JSON.parse(line) as RunEvent);
});
process.stdin.on('end', () => {
  void finish();
});
process.stderr.on('resize', () => session.resized());
// The terminal or pipe we draw on is gone (EPIPE, EBADF, EIO): nothing more can be shown. Say so
// with our exit code; the run goes on without a view.
process.stderr.on('error', () => process.exit(OUTPUT_GONE_EXIT_CODE));

async function finish(): Promise<void> {
  try {
    await session.close();
  } catch (e) {
    process.stderr.write(`warning: the live view failed (${(e as Error).message}); use --output plain\n`);
    process.exitCode = 1;
  }
  if (process.env.FLOWCTL_LIVE_STATS) {
    const cpu = process.cpuUsage();
    const stats = { ...session.stats, cpuMs: (cpu.user + cpu.system) / 1000, uptimeMs: process.uptime() * 1000 };
    await appendFile(process.env.FLOWCTL_LIVE_STATS, JSON.stringify(stats) + '\n');
  }
}
