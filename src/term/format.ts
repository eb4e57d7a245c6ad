/** Small formatting helpers shared by reporters. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

export function formatCounts(counts: Partial<Record<string, number>>): string {
  const order = ['succeeded', 'cached', 'failed', 'interrupted', 'skipped', 'running', 'pending', 'damaged'];
  const parts = order.filter((k) => counts[k]).map((k) => `${counts[k]} ${k}`);
  return parts.length ? parts.join(', ') : 'no tasks';
}

export function taskName(step: string, taskId: string): string {
  return `${step}/${taskId}`;
}
