/**
 * The store's backend port (DESIGN.md §4). A backend is a namespace of keys
 * (`/`-separated, relative to the store root, exactly the layout of §4) holding
 * immutable content-addressed objects and small metadata files. The local backend
 * (fs-backend.ts) implements it now; S3 comes later and must fit the same shape.
 */
import type { ObjectCheck } from './verified-stat.js';

export type { ObjectCheck };

export interface ObjectInfo {
  /** Lowercase hex sha256 of the content. */
  hash: string;
  size: number;
}

export interface MaterializeOptions {
  /**
   * Give the file the executable bit (0555). A hardlink shares the object's inode and so its
   * mode (0444), so an executable gets a private copy (reflink where the filesystem can).
   */
  executable?: boolean;
  /** The size the caller expects (from a manifest): part of the cheap verified-stat check. */
  size?: number;
}


export interface StoreBackend {
  readonly kind: 'local' | 's3';
  /** Absolute path (local) or `s3://bucket/prefix`. */
  readonly location: string;

  /**
   * Store a file's content as an object and return its hash. With `move`, the local backend
   * may take the file itself (rename, so a 1 GiB output is never copied); the caller must not
   * use srcPath afterwards. Writing is atomic: an object is visible whole or not at all.
   */
  putObjectFile(srcPath: string, opts?: { move?: boolean }): Promise<ObjectInfo>;
  putObjectBytes(data: Uint8Array | string): Promise<ObjectInfo>;
  /** Present and intact by the verified-stat check (a local object found damaged is quarantined: false). */
  hasObject(hash: string): Promise<boolean>;
  /** The content, verified against its hash (STORE_CORRUPT naming the key when it does not match). */
  getObjectBytes(hash: string): Promise<Buffer>;
  /**
   * Make the object readable at destPath without copying where possible (hardlink or
   * reflink locally; download into a local cache then link for S3). The file is read-only.
   * The object is checked first (verified-stat, a re-hash when its stat changed): damaged
   * bytes are never staged (STORE_CORRUPT locally; S3 drops the cached copy and downloads again).
   */
  materializeObject(hash: string, destPath: string, opts?: MaterializeOptions): Promise<void>;
  /**
   * The local file that staging hard-links for this object (the object itself, or the S3
   * cache's copy); it may not exist.
   */
  objectFile(hash: string): string;
  /**
   * Check that local file (stat first, a re-hash when its stat changed): a good one is reset
   * to its verified stat, a damaged one is quarantined locally or dropped from the S3 cache.
   */
  verifyObject(hash: string, opts?: { size?: number }): Promise<ObjectCheck>;

  /** Write a small metadata file whole and atomically (temp + rename locally). */
  putText(key: string, body: string | Uint8Array): Promise<void>;
  getText(key: string): Promise<string | undefined>;
  /** Copy (or move) a local file to key, atomically. Used for logs. */
  putFile(key: string, srcPath: string, opts?: { move?: boolean }): Promise<void>;
  /** Append to a text file (events.ndjson). Local: O_APPEND; S3 implements it by buffering. */
  appendText(key: string, text: string): Promise<void>;
  /** Create key only if absent; false when it already exists. Used to claim run ids. */
  createExclusive(key: string, body: string): Promise<boolean>;
  /** Names of the immediate children under prefix (files and "directories"), sorted. */
  list(prefix: string): Promise<string[]>;
  exists(key: string): Promise<boolean>;
  /** A local path for key when the backend is a local filesystem (for streaming logs), else undefined. */
  localPath(key: string): string | undefined;
  /** A private scratch directory on the same filesystem as the objects (task dirs live here so outputs can be moved in). */
  scratchDir(): string;
}
