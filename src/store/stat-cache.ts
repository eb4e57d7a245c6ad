/**
 * The code snapshot's stat cache, like git's index: absolute path -> (size, mtime, ctime,
 * inode, hash). A file whose stat is unchanged is not read again. It lives in the local
 * store at `cache/code-stat.json`; it is only a cache, so a missing or unreadable one is
 * simply rebuilt.
 */
import type { Stats } from 'node:fs';
import type { KeyStore } from './key-store.js';
import { keys } from './records.js';

/**
 * Timestamps have a granularity (coarse kernel clock, 1-2 s on some filesystems): a file
 * written again within the same tick as it was hashed keeps its mtime. Entries that young
 * are not cached ("racily clean" in git's words); they are simply hashed again next time.
 */
const RACY_MS = 2000;

interface Entry {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  hash: string;
}

export class StatCache {
  changed = false;
  constructor(private readonly entries: Record<string, Entry> = {}) {}

  lookup(abs: string, st: Stats): string | undefined {
    const e = this.entries[abs];
    if (!e || e.size !== st.size || e.mtimeMs !== st.mtimeMs || e.ctimeMs !== st.ctimeMs || e.ino !== st.ino) return undefined;
    return e.hash;
  }

  record(abs: string, st: Stats, hash: string, now: number): void {
    // mtime only, as git does: a content change moves mtime; ctime (compared in lookup) catches
    // tools that write and then restore an old mtime.
    if (st.mtimeMs > now - RACY_MS) {
      if (this.entries[abs]) {
        delete this.entries[abs];
        this.changed = true;
      }
      return;
    }
    this.entries[abs] = { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, hash };
    this.changed = true;
  }

  /** Drop entries under `prefix` that were not seen: files deleted from the project. */
  prune(prefix: string, seen: Set<string>): void {
    for (const abs of Object.keys(this.entries)) {
      if (abs.startsWith(prefix) && !seen.has(abs)) {
        delete this.entries[abs];
        this.changed = true;
      }
    }
  }

  toJSON(): unknown {
    return { version: 1, files: this.entries };
  }
}

/**
 * For a local store only (the caller decides): inodes mean nothing to a remote one. An S3
 * store could keep such a cache in a local directory instead.
 */
export async function loadStatCache(kv: KeyStore): Promise<StatCache> {
  const text = await kv.get(keys.codeStatCache());
  try {
    const data = text ? JSON.parse(text) : undefined;
    if (data?.version === 1 && typeof data.files === 'object') return new StatCache(data.files);
  } catch {
    // A torn or hand-edited cache is rebuilt, never trusted.
  }
  return new StatCache();
}

export async function saveStatCache(kv: KeyStore, cache: StatCache, prefix: string, seen: Set<string>): Promise<void> {
  cache.prune(prefix, seen);
  if (cache.changed) await kv.put(keys.codeStatCache(), JSON.stringify(cache));
}
