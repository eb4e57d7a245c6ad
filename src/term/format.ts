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

/** A container step's image for people: `python:3.12 (sha256:0a1b2c3d4e5f)`, the id shortened to 12 hex digits. */
export function imageLabel(image: string, digest?: string): string {
  return digest ? `${image} (${shortImageId(digest)})` : image;
}

/** `sha256:<64 hex>` → `sha256:<first 12>`. */
export function shortImageId(id: string): string {
  const m = /^(sha256:)?([0-9a-f]{12})[0-9a-f]{52}$/.exec(id);
  return m ? `sha256:${m[2]}` : id;
}
