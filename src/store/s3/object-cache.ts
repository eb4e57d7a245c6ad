/**
 * The local read-through cache of S3 objects, shared by every S3 store on the machine
 * (objects are content-addressed and verified, so which bucket one came from does not
 * matter). Files are read-only (0444) and appear only after their sha256 matched, by rename,
 * with the verified-stat mtime (verified-stat.ts): a copy written to since is re-hashed before use.
 *
 *   <root>/objects/sha256/<2 hex>/<hash>   verified objects
 *   <root>/tmp/                            downloads and uploads in flight
 *   <root>/scratch/                        task directories of runs against S3 stores
 *
 * One filesystem, so outputs move into the cache and staged inputs are hardlinks of it.
 * Size-bounded: past `maxBytes`, the least recently used objects go (by atime, which
 * flowctl sets itself on every use, so `noatime` mounts are fine). Objects used in the last
 * minute stay even over budget: they are likely inputs of a task being staged right now.
 */
import { mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { ExitCode, FlowctlError } from '../../errors.js';
import { mapLimit, renameInto, tempName } from '../fs-util.js';
import type { ObjectInfo } from '../object-store.js';
import { checkObjectFile, markVerified, sameInode, VERIFIED_MTIME_S, type ObjectCheck } from '../verified-stat.js';

export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 ** 3;
const RECENT_MS = 60_000;
/** Evict down to this fraction of the budget, so the next few downloads don't each trigger a sweep. */
const LOW_WATER = 0.9;

/** `FLOWCTL_CACHE_DIR`, else `$XDG_CACHE_HOME/flowctl`, else `~/.cache/flowctl`. */
export function cacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.FLOWCTL_CACHE_DIR) return env.FLOWCTL_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(os.homedir(), '.cache'), 'flowctl');
}

/** `FLOWCTL_CACHE_MAX_BYTES`: bytes, or with a unit (`500M`, `20GiB`, `1.5G`); default 10 GiB. */
export function cacheMaxBytes(env: NodeJS.ProcessEnv): number {
  const raw = env.FLOWCTL_CACHE_MAX_BYTES?.trim();
  if (!raw) return DEFAULT_CACHE_MAX_BYTES;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(raw);
  if (!m) {
    throw new FlowctlError('BAD_CACHE_SIZE', `FLOWCTL_CACHE_MAX_BYTES=${raw} is not a size`, {
      exitCode: ExitCode.Usage,
      hint: 'Use bytes or a unit: 500M, 20G, 1.5GiB (powers of 1024).',
    });
  }
  return Math.floor(Number(m[1]) * 1024 ** ' kmgt'.indexOf((m[2] || ' ').toLowerCase()));
}

export class ObjectCache {
  private total?: Promise<number>;
  private added = 0;
  private sweeping?: Promise<void>;

  constructor(readonly root: string, readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES) {}

  async init(): Promise<this> {
    await mkdir(join(this.root, 'objects', 'sha256'), { recursive: true });
    await mkdir(this.tmpDir(), { recursive: true });
    await mkdir(this.scratchDir(), { recursive: true });
    return this;
  }

  path(hash: string): string {
    return join(this.root, 'objects', 'sha256', hash.slice(0, 2), hash);
  }

  tmpDir(): string {
    return join(this.root, 'tmp');
  }

  scratchDir(): string {
    return join(this.root, 'scratch');
  }

  tempPath(kind: string): string {
    return join(this.tmpDir(), tempName(kind));
  }

  /**
   * The cached file, marked as just used; undefined when not cached. The copy passes the
   * verified-stat check first: one whose stat changed is re-hashed, and a damaged one is
   * dropped (so the caller downloads it again) instead of being handed on.
   */
  async lookup(hash: string, size?: number): Promise<string | undefined> {
    const state = await this.check(hash, size);
    if (state === 'missing' || state === 'damaged') return undefined;
    const p = this.path(hash);
    await utimes(p, new Date(), VERIFIED_MTIME_S).catch(() => undefined);
    return p;
  }

  /** The verified-stat check of a cached copy; a damaged one is removed (the store's copy is not affected). */
  check(hash: string, size?: number): Promise<ObjectCheck> {
    const p = this.path(hash);
    return checkObjectFile(p, hash, {
      size,
      quarantine: async (ino) => {
        if (sameInode(p, ino)) await rm(p, { force: true });
      },
    });
  }

  /**
   * Move a verified temp file into the cache under its hash (the caller checked the hash).
   * A concurrent writer of the same object may win the rename: same bytes, no harm.
   */
  async adopt(tmp: string, info: ObjectInfo): Promise<string> {
    const dest = this.path(info.hash);
    try {
      await markVerified(tmp);
      await renameInto(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await this.account(info.size);
    return dest;
  }

  /** Cache small bytes (a directory manifest, a code file) whose hash the caller computed. */
  async putBytes(info: ObjectInfo, data: Uint8Array | string): Promise<void> {
    if (await this.lookup(info.hash)) return;
    const tmp = this.tempPath('put');
    try {
      await writeFile(tmp, data, { mode: 0o600 });
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await this.adopt(tmp, info);
  }

  /** Forget a cached object (found corrupt). */
  async drop(hash: string): Promise<void> {
    await rm(this.path(hash), { force: true });
  }

  /** Remove least recently used objects until the cache is under budget; returns what went. */
  async sweep(now = Date.now()): Promise<{ files: number; bytes: number }> {
    const entries = await this.scan();
    let total = entries.reduce((n, e) => n + e.size, 0);
    const removed = { files: 0, bytes: 0 };
    if (total > this.maxBytes) {
      for (const e of entries.sort((a, b) => a.atimeMs - b.atimeMs)) {
        if (total <= this.maxBytes * LOW_WATER || now - e.atimeMs < RECENT_MS) break;
        // Staged copies are hardlinks: removing the cache's name never breaks a task dir.
        await rm(e.path, { force: true });
        total -= e.size;
        removed.files++;
        removed.bytes += e.size;
      }
    }
    this.total = Promise.resolve(total);
    this.added = 0;
    return removed;
  }

  /**
   * Keep a running total (one scan per process, on first use; approximate, since other
   * processes add too) and sweep when it passes the budget.
   */
  private async account(size: number): Promise<void> {
    this.total ??= this.scan().then((es) => es.reduce((n, e) => n + e.size, 0));
    this.added += size;
    if ((await this.total) + this.added <= this.maxBytes) return;
    this.sweeping ??= this.sweep().then(() => undefined).finally(() => (this.sweeping = undefined));
    await this.sweeping;
  }

  private async scan(): Promise<Array<{ path: string; size: number; atimeMs: number }>> {
    const base = join(this.root, 'objects', 'sha256');
    const dirs = await readdir(base).catch(() => [] as string[]);
    const files = (await mapLimit(dirs, 16, async (d) => (await readdir(join(base, d)).catch(() => [] as string[])).map((f) => join(base, d, f)))).flat();
    const stats = await mapLimit(files, 64, async (p) => {
      const st = await stat(p).catch(() => undefined);
      return st ? { path: p, size: st.size, atimeMs: st.atimeMs } : undefined;
    });
    return stats.filter((s): s is { path: string; size: number; atimeMs: number } => s !== undefined);
  }
}

