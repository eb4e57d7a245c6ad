/**
 * The S3 store backend: the §4 layout as objects under `s3://bucket/prefix`. Objects go
 * through S3Objects (upload-if-absent, verified downloads into the local cache); records and
 * logs are small objects PUT whole, after the objects they reference; appends are segment
 * logs (append-log.ts). Task directories live in the cache's scratch dir, on the cache's
 * filesystem, so outputs move in and inputs are hardlinked out.
 */
import { rm, stat } from 'node:fs/promises';
import { FlowctlError } from '../../errors.js';
import { checkHash } from '../hash.js';
import type { MaterializeOptions, ObjectCheck, ObjectInfo, StoreBackend } from '../port.js';
import { AppendLog } from './append-log.js';
import type { ObjectCache } from './object-cache.js';
import { formatS3Url } from './parse-url.js';
import type { S3Bucket } from './s3-bucket.js';
import { S3Objects } from './s3-objects.js';

export class S3Backend implements StoreBackend {
  readonly kind = 's3' as const;
  readonly location: string;
  private readonly objects: S3Objects;
  private readonly logs: AppendLog;

  constructor(readonly bucket: S3Bucket, readonly cache: ObjectCache, opts: { segmentBytes?: number } = {}) {
    this.location = formatS3Url({ bucket: bucket.name, prefix: bucket.prefix });
    this.objects = new S3Objects(bucket, cache);
    this.logs = new AppendLog(bucket, opts.segmentBytes);
  }

  // ---- objects ----

  putObjectFile(srcPath: string, opts: { move?: boolean } = {}): Promise<ObjectInfo> {
    return this.objects.putFile(srcPath, opts);
  }

  putObjectBytes(data: Uint8Array | string): Promise<ObjectInfo> {
    return this.objects.putBytes(data);
  }

  hasObject(hash: string): Promise<boolean> {
    return this.objects.has(hash);
  }

  getObjectBytes(hash: string): Promise<Buffer> {
    return this.objects.getBytes(hash);
  }

  materializeObject(hash: string, destPath: string, opts: MaterializeOptions = {}): Promise<void> {
    return this.objects.materialize(hash, destPath, opts);
  }

  /** The local cache's copy: what staging hard-links. */
  objectFile(hash: string): string {
    return this.cache.path(checkHash(hash));
  }

  /** Checks the local cache's copy; a damaged one is dropped (the bucket's copy is untouched and downloaded again when needed). */
  verifyObject(hash: string, opts: { size?: number } = {}): Promise<ObjectCheck> {
    return this.cache.check(checkHash(hash), opts.size);
  }

  // ---- metadata ----

  async putText(key: string, body: string | Uint8Array): Promise<void> {
    await this.bucket.putBytes(checkKey(key), body);
  }

  /** Whole text; a key written by appendText is read back across its segments. */
  async getText(key: string): Promise<string | undefined> {
    return this.logs.read(checkKey(key));
  }

  async putFile(key: string, srcPath: string, opts: { move?: boolean } = {}): Promise<void> {
    const { size } = await stat(srcPath);
    await this.bucket.uploadFile(checkKey(key), srcPath, size);
    if (opts.move) await rm(srcPath, { force: true });
  }

  async appendText(key: string, text: string): Promise<void> {
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
   * Children in code-unit order, like the local backend. A segmented log's `<name>.d/`
   * is an implementation detail of `<name>` and is not listed.
   */
  async list(prefix: string): Promise<string[]> {
    const names = await this.bucket.listChildren(prefix === '' ? '' : checkKey(prefix));
    const set = new Set(names);
    return names.filter((n) => !(n.endsWith('.d') && set.has(n.slice(0, -2)))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /** A key, or a "directory" with anything under it (as a local directory exists). */
  async exists(key: string): Promise<boolean> {
    return (await this.bucket.head(checkKey(key))) !== undefined || (await this.bucket.hasChildren(key));
  }

  /** Nothing in S3 is a local file: the runner writes logs to scratch and uploads them with putFile. */
  localPath(_key: string): undefined {
    return undefined;
  }

  scratchDir(): string {
    return this.cache.scratchDir();
  }
}

/** Keys come from flow, step and run names: refuse anything that S3 tools would resolve differently. */
function checkKey(key: string): string {
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
    throw new FlowctlError('STORE_BAD_KEY', `Invalid store key ${JSON.stringify(key)}`);
  }
  return key;
}
