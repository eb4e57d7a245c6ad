/**
 * The object port (DESIGN.md §4): immutable, content-addressed blobs named by their sha256,
 * at `objects/sha256/<2 hex>/<hash>`. Writes are put-if-absent and atomic, reads are verified,
 * and every object carries the time it was last used (put, reused or touched), which `gc`
 * compares with its cutoff (see gc-protocol.md in the README's "Maintaining a store").
 * Adapters: fs-objects.ts (a local directory) and s3/s3-objects.ts (a bucket plus a local cache).
 */
import type { ObjectCheck } from './verified-stat.js';

export type { ObjectCheck };

export interface ObjectInfo {
  /** Lowercase hex sha256 of the content. */
  hash: string;
  size: number;
}

/** An object as a listing or a stat sees it. */
export interface ObjectEntry extends ObjectInfo {
  /** When it was last put, reused or touched (ms since the epoch, the store's clock). */
  usedAtMs: number;
}

/** What a full re-hash found (`fsck`); nothing is changed. */
export type RehashResult = 'intact' | 'damaged' | 'missing';

export interface MaterializeOptions {
  /**
   * Give the file the executable bit (0555). A hardlink shares the object's inode and so its
   * mode (0444), so an executable gets a private copy (reflink where the filesystem can).
   */
  executable?: boolean;
  /** The size the caller expects (from a manifest): part of the cheap verified-stat check. */
  size?: number;
}

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** Absolute path of the store root (local) or `s3://bucket/prefix`. */
  readonly location: string;
  /**
   * Checking or touching one object costs a system call, not a request: callers afford to
   * check every file of a directory output, not only its manifest.
   */
  readonly checksAreCheap: boolean;
  /** What happens to a damaged copy found by a check: moved to the store's quarantine, or (S3) the local cache copy dropped. */
  readonly damagedCopies: 'quarantined' | 'dropped';

  /**
   * Store a file's content and return its hash (put-if-absent; content already stored is only
   * touched). With `move`, a local store may take the file itself (rename, so a 1 GiB output is
   * never copied); the caller must not use srcPath afterwards. An object is visible whole or not at all.
   */
  putFile(srcPath: string, opts?: { move?: boolean }): Promise<ObjectInfo>;
  putBytes(data: Uint8Array | string): Promise<ObjectInfo>;
  /** Present and intact by the verified-stat check (a local object found damaged is quarantined: false). */
  has(hash: string): Promise<boolean>;
  /**
   * `has`, and marks the object as used now, so a `gc` running meanwhile keeps it. Every object
   * a run reuses without putting it (cache hits, resume clones, code) goes through here.
   */
  touch(hash: string): Promise<boolean>;
  /** The content, verified against its hash (STORE_CORRUPT naming the key when it does not match, STORE_MISSING_OBJECT when absent). */
  getBytes(hash: string): Promise<Buffer>;
  /**
   * The content as a stream, for objects too big to hold: checked before the first byte (the
   * verified-stat check, or a verified download) and hashed again on the way, so a change the
   * check could not see still ends the stream with STORE_CORRUPT.
   */
  read(hash: string, size: number): AsyncIterable<Buffer>;
  /**
   * The stored bytes as they are, unverified and without side effects, or undefined when absent
   * (`fsck` and `gc` read manifests this way and judge them themselves).
   */
  peekBytes(hash: string): Promise<Buffer | undefined>;
  /**
   * The verified-stat check of the local file staging links (the object, or the S3 cache's
   * copy): re-hashed when its stat changed; a good one is reset to its verified stat, a damaged
   * one is quarantined locally or dropped from the S3 cache.
   */
  verify(hash: string, opts?: { size?: number }): Promise<ObjectCheck>;
  /** Re-hash the stored object in full (S3: download and hash it), changing nothing. */
  rehash(hash: string): Promise<RehashResult>;
  /** Size and last use; undefined when absent. */
  stat(hash: string): Promise<ObjectEntry | undefined>;
  /** Every object (any order), streamed: memory does not grow with the store. */
  list(): AsyncIterable<ObjectEntry>;
  /** Remove an object (absent is fine). */
  delete(hash: string): Promise<void>;
  /**
   * Remove an object unless it was used at or after `cutoffMs`, judged again at the moment of
   * removal (a run touching it meanwhile keeps it). Returns the bytes freed, 0 when kept or absent.
   */
  deleteUnusedSince(hash: string, cutoffMs: number): Promise<number>;
  /** Move a damaged object aside (`quarantine/<hash>.<time>-<pid>`), where nothing reads it. */
  quarantine(hash: string): Promise<void>;
  /**
   * Make the object readable at destPath without copying where possible (hardlink or reflink
   * locally; download into the local cache then link for S3). The file is read-only. The object
   * is checked first: damaged bytes are never staged.
   */
  materialize(hash: string, destPath: string, opts?: MaterializeOptions): Promise<void>;
  /** The local file staging hard-links for this object (the object itself, or the S3 cache's copy); it may not exist. */
  localFile(hash: string): string;
  /** A private directory on the same filesystem as the local files: task directories live here, so outputs can be moved in. */
  scratchDir(): string;
  /** Where this store's temporary files live while they are written (named by tempName(), so a dead writer's can be found). */
  tempDir(): string;
}
