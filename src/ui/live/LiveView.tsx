/**
 * The live run view: a picture of ViewState and nothing else. It holds no state, starts no
 * timers and never talks to the run; the reporter decides when to draw it.
 */
import { Box } from 'ink';
import { layoutFrame } from './layout.js';
import type { ViewState } from './state.js';
import { FrameLine } from './FrameLine.js';

export interface LiveViewProps {
  state: ViewState;
  /** Time of the frame (ms since epoch). */
  now: number;
  columns: number;
  /** Terminal height; a live frame stays below it. */
  rows?: number;
  /** Draw the closing frame: full step tree and summary. */
  final?: boolean;
}

export function LiveView({ state, now, columns, rows, final }: LiveViewProps) {
  const lines = layoutFrame(state, { now, columns, rows, final });
  return (
    <Box flexDirection="column" width={columns}>
      {lines.map((line, i) => (
        <FrameLine key={i} line={line} />
      ))}
    </Box>
  );
}
