/**
 * The key port on S3: records and logs are small objects PUT whole under the store's prefix
 * (after the objects they reference); appends are segment logs (append-log.ts), read back
 * whole. Nothing is readable while it is written, so `live` is false.
 */
import { rm, stat } from 'node:fs/promises';
import { checkKey, NOT_KEYS } from '../fs-keys.js';
import type { KeyEntry, KeyStat, KeyStore } from '../key-store.js';
import { AppendLog } from './append-log.js';
import { formatS3Url } from './parse-url.js';
import type { S3Bucket } from './s3-bucket.js';

/** A later segment of an appended log (`<key>.d/00000001`): part of `<key>`, never a key of its own. */
const SEGMENT = /\.d\/\d{8}$/;
const DELETE_BATCH = 64;

export class S3KeyStore implements KeyStore {
  readonly live = false;
  readonly location: string;
  private readonly logs: AppendLog;

  constructor(readonly bucket: S3Bucket, opts: { segmentBytes?: number } = {}) {
    this.location = formatS3Url({ bucket: bucket.name, prefix: bucket.prefix });
    this.logs = new AppendLog(bucket, opts.segmentBytes);
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
    await this.bucket.putBytes(checkKey(key), body);
  }

  /** Whole text; a key written by append is read back across its segments. */
  async get(key: string): Promise<string | undefined> {
    return this.logs.read(checkKey(key));
  }

  /** No ranged read across segments: the value is fetched whole and sliced. */
  async read(key: string, offset: number, length: number): Promise<Buffer | undefined> {
    const text = await this.get(key);
    return text === undefined ? undefined : Buffer.from(text, 'utf8').subarray(offset, offset + length);
  }

  async *stream(key: string): AsyncGenerator<Buffer> {
    const text = await this.get(key);
    if (text) yield Buffer.from(text, 'utf8');
  }

  async putFile(key: string, srcPath: string, opts: { move?: boolean } = {}): Promise<void> {
    const { size } = await stat(srcPath);
    await this.bucket.uploadFile(checkKey(key), srcPath, size);
    if (opts.move) await rm(srcPath, { force: true });
  }

  async append(key: string, text: string): Promise<void> {
    return this.logs.append(checkKey(key), text);
  }

  /**
   * A conditional PUT (If-None-Match: *), atomic on AWS S3, MinIO and R2. Servers that ignore
   * the header (s3rver, older Ceph) get the HEAD before it, which leaves a window of one
   * round trip; run ids make a collision in it need the same millisecond and 30 random bits.
   */
  async createExclusive(key: string, body: string): Promise<boolean> {
    if (await this.bucket.head(checkKey(key))) return false;
    return (await this.bucket.putBytes(key, body, { ifAbsent: true })) === 'written';
  }

  /**
   * Children in code-unit order, like the local store. A segmented log's `<name>.d/`
   * is an implementation detail of `<name>` and is not listed.
   */
  async list(prefix: string): Promise<string[]> {
    const names = await this.bucket.listChildren(prefix === '' ? '' : checkKey(prefix));
    const set = new Set(names);
    // The root also holds the object port's objects/ and quarantine/: not keys, as locally.
    return names.filter((n) => !(n.endsWith('.d') && set.has(n.slice(0, -2))) && !(prefix === '' && NOT_KEYS.has(n))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async *listAll(prefix: string): AsyncGenerator<KeyEntry> {
    if (prefix === '') {
      // Child by child, so the objects (most of a store) are never paged through.
      for (const name of await this.list('')) {
        const value = await this.bucket.head(name);
        if (value) yield { key: name, size: value.size, mtimeMs: value.mtimeMs };
        yield* this.listAll(name);
      }
      return;
    }
    for await (const k of this.bucket.listAll(checkKey(prefix))) {
      if (!SEGMENT.test(k.key)) yield k;
    }
  }

  /** A key, or a "directory" with anything under it (as a local directory exists). */
  async exists(key: string): Promise<boolean> {
    return (await this.bucket.head(checkKey(key))) !== undefined || (await this.bucket.hasChildren(key));
  }

  async stat(key: string): Promise<KeyStat | undefined> {
    const h = await this.bucket.head(checkKey(key));
    return h && { size: h.size, mtimeMs: h.mtimeMs };
  }

  /** One value (an appended log's later segments go with deleteAll of its directory). */
  async delete(key: string): Promise<void> {
    await this.bucket.delete(checkKey(key));
  }

  async deleteAll(prefix: string): Promise<number> {
    let batch: string[] = [];
    let n = 0;
    const flush = async () => {
      await Promise.all(batch.map((k) => this.bucket.delete(k)));
      batch = [];
    };
    for await (const k of this.bucket.listAll(checkKey(prefix))) {
      batch.push(k.key);
      if (!SEGMENT.test(k.key)) n++;
      if (batch.length >= DELETE_BATCH) await flush();
    }
    await flush();
    return n;
  }

  /** Nothing in S3 is a local file: a writer writes to scratch and puts the file when done. */
  inPlacePath(_key: string): undefined {
    return undefined;
  }
}
