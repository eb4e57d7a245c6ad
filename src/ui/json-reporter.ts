/** `--output json`: every runtime event as one JSON object per line (NDJSON) on stdout. */
import type { Reporter, RunEvent } from '../runtime/events.js';

export class JsonReporter implements Reporter {
  constructor(private readonly write: (line: string) => void = (l) => process.stdout.write(l + '\n')) {}

  onEvent(e: RunEvent): void {
    this.write(JSON.stringify(e));
  }
}
