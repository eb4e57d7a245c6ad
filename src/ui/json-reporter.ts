/**
 * `--output json`: every runtime event as one JSON object per line (NDJSON) on stdout, in
 * the shape of RunEvent (src/runtime/events.ts), the same objects the run's events.ndjson
 * holds. Tools should ignore event types and fields they do not know: new ones may be
 * added, existing ones keep their meaning.
 */
import type { Reporter, RunEvent } from '../runtime/events.js';
import { guardOutput } from './output-guard.js';

export interface JsonReporterOptions {
  write?: (line: string) => void;
  /** Only run-started, uncaught task failures and run-finished. */
  quiet?: boolean;
}

export class JsonReporter implements Reporter {
  private readonly write: (line: string) => void;

  constructor(private readonly o: JsonReporterOptions = {}) {
    this.write = o.write ?? stdoutLines();
  }

  onEvent(e: RunEvent): void {
    if (this.o.quiet && !important(e)) return;
    this.write(JSON.stringify(e));
  }
}

function important(e: RunEvent): boolean {
  return e.type === 'run-started' || e.type === 'run-finished' || (e.type === 'task-finished' && e.state === 'failed' && !e.caught);
}

/** Lines to stdout, dropped once it cannot be written (see output-guard.ts). */
function stdoutLines(): (line: string) => void {
  const stdout = guardOutput(process.stdout);
  return (line) => stdout.write(line + '\n');
}
