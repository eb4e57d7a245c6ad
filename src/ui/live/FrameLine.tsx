/** One row of the live view: styled segments, cut (never wrapped) at the terminal's edge. */
import { Text } from 'ink';
import type { Line } from './text.js';

export function FrameLine({ line }: { line: Line }) {
  if (line.length === 0) return <Text> </Text>;
  return (
    <Text wrap={line.wrap ? 'wrap' : 'truncate-end'}>
      {line.map((s, i) => (
        <Text key={i} color={s.color} bold={s.bold}>
          {s.text}
        </Text>
      ))}
    </Text>
  );
}
