/** A state as a coloured word, the same colours everywhere (DAG, tables, timeline). */
export const STATE_COLORS: Record<string, string> = {
  succeeded: '#2e9d5b', failed: '#d64545', caught: '#d99a1e', running: '#2f7bd8', pending: '#9aa3ad', 'not-run': '#c4cad1',
  cached: '#26a6a6', skipped: '#8c8c8c', interrupted: '#e07b28', dead: '#8e5cc4', timeout: '#c2410c', damaged: '#9b1c1c',
};

export function stateColor(state: string): string {
  return STATE_COLORS[state] ?? '#9aa3ad';
}

export function StateBadge({ state, title }: { state: string; title?: string }) {
  return (
    <span className={`badge state-${state}`} style={{ background: stateColor(state) }} title={title ?? state} data-state={state}>
      {state === 'dead' ? 'dead?' : state}
    </span>
  );
}

/** Done/total of a fan-out as a small bar with its numbers. */
export function Progress({ done, total, counts }: { done: number; total: number; counts: Partial<Record<string, number>> }) {
  const order = ['succeeded', 'cached', 'failed', 'skipped', 'running'];
  return (
    <span className="progress" title={Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ')}>
      <span className="progress-bar">
        {order.map((s) => {
          const n = counts[s] ?? 0;
          return n > 0 && total > 0 ? <span key={s} style={{ width: `${(100 * n) / total}%`, background: stateColor(s) }} /> : null;
        })}
      </span>
      <span className="progress-text">{done}/{total}</span>
    </span>
  );
}
