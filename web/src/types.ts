// The API's shapes, shared with the server (src/web/shared/types.ts).
export type * from '../../src/web/shared/types';
import type { RunSnapshot } from '../../src/web/shared/types';

/** What `flowctl report` embeds in the HTML file (script#flowctl-report). */
export interface ReportData {
  kind: 'flowctl-report';
  version: string;
  generatedAt: string;
  snapshot: RunSnapshot;
  /** Last lines of task logs, keyed `step/taskId`: failed tasks, and every task of a small run. */
  tails: Record<string, { stdout: string[]; stderr: string[] }>;
}
