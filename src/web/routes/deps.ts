/** What the API routes share. */
import type { ClientContext } from '../../client/index.js';
import type { SnapshotCache } from '../snapshot-cache.js';

export interface WebDeps {
  /** Reads every namespace: pages filter by namespace themselves. */
  all: ClientContext;
  /** The namespace lists start filtered on (`flowctl ui --namespace`, `-A` for null). */
  namespace: string | null;
  version: string;
  cache: SnapshotCache;
  /** The built single-page app (index.html and assets/); reports inline it. */
  appDir: string;
  /** How often live streams look for changes (ms). */
  pollMs: number;
}
