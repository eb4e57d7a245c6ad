/**
 * The key port (DESIGN.md §4): small named values (records, logs, events, indexes, config) at
 * `/`-separated keys relative to the store root, exactly the layout of records.ts. Only the
 * Store service (store.ts) knows which key holds what. Adapters: fs-keys.ts and s3/s3-keys.ts.
 */

export interface KeyStat {
  size: number;
  /** Last write (ms since the epoch, the store's clock). */
  mtimeMs: number;
}

/** A key as a recursive listing sees it. */
export interface KeyEntry extends KeyStat {
  key: string;
}

export interface KeyStore {
  /** Absolute path of the store root (local) or `s3://bucket/prefix`. */
  readonly location: string;
  /**
   * Values are readable while they are written: an appended log or a file written in place is
   * visible as it grows (a local store). Elsewhere a value appears whole when it is put.
   */
  readonly live: boolean;

  /** Write a value whole and atomically (temp + rename locally, one PUT on S3). */
  put(key: string, body: string | Uint8Array): Promise<void>;
  /** Copy (or move) a local file to key, atomically. */
  putFile(key: string, srcPath: string, opts?: { move?: boolean }): Promise<void>;
  /** The whole value as text; undefined when absent. */
  get(key: string): Promise<string | undefined>;
  /** Up to `length` bytes from `offset` (fewer at the end); undefined when the key is absent. */
  read(key: string, offset: number, length: number): Promise<Buffer | undefined>;
  /** The whole value as a stream of chunks (nothing when absent), without holding a big local file in memory. */
  stream(key: string): AsyncIterable<Buffer>;
  /** Append to a value (events.ndjson). Local: O_APPEND; S3: a segmented log (append-log.ts). */
  append(key: string, text: string): Promise<void>;
  /** Create key only if absent; false when it already exists. */
  createExclusive(key: string, body: string): Promise<boolean>;
  /** Names of the immediate children under prefix (values and "directories"), in code-unit order. */
  list(prefix: string): Promise<string[]>;
  /** Every key under prefix, recursively (any order), streamed. */
  listAll(prefix: string): AsyncIterable<KeyEntry>;
  /** A value, or a "directory" with anything under it. */
  exists(key: string): Promise<boolean>;
  stat(key: string): Promise<KeyStat | undefined>;
  /** Remove a value (absent is fine). */
  delete(key: string): Promise<void>;
  /** Remove everything under prefix; returns how many values went. */
  deleteAll(prefix: string): Promise<number>;
  /**
   * A local file that is the key's value itself, for a writer that appends to it as it goes
   * (a running attempt's logs on a local store); undefined where values are only stored whole.
   */
  inPlacePath(key: string): string | undefined;
}
