/**
 * The AWS SDK adapter: the handful of S3 operations the two ports need, on keys relative to
 * the store's prefix, each bounded by a concurrency limit and each failure wrapped with the
 * bucket and key. Nothing above this file imports the SDK's commands.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AbortMultipartUploadCommand, CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { formatS3Url, type S3Location } from './parse-url.js';
import { Limit } from './limit.js';
import { errorName, httpStatus, isBodyStreamError, isNotFound, isPreconditionFailed, s3Error } from './s3-errors.js';

/**
 * Upload memory, whatever the file's size: parts of 5 MiB (S3's minimum; larger only past
 * 48 GiB, to stay under 10,000 parts), 4 in flight, read in 256 KiB chunks. Measured with a
 * 200 MB file against s3rver: ~60 MiB above the SDK's baseline, where 8 MiB parts cost ~85
 * for no throughput gain. At most MULTIPART uploads run at once per process.
 */
const MIN_PART = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;
const QUEUE_SIZE = 4;
const READ_CHUNK = 256 * 1024;
const MULTIPART = 4;
/** Whole re-GETs after the body stream broke mid-way (the SDK retries only up to the response headers). */
const BODY_ATTEMPTS = 4;

export interface HeadResult {
  size: number;
  metadata: Record<string, string>;
  /** LastModified (ms since the epoch, the server's clock; S3 keeps whole seconds). */
  mtimeMs: number;
}

/** A key as a recursive listing sees it, relative to the store's prefix. */
export interface ListedKey {
  key: string;
  size: number;
  mtimeMs: number;
}

export class S3Bucket {
  readonly name: string;
  readonly prefix: string;
  private readonly limit: Limit;
  private readonly multipart = new Limit(MULTIPART);

  constructor(readonly client: S3Client, loc: S3Location, concurrency: number) {
    this.name = loc.bucket;
    this.prefix = loc.prefix;
    this.limit = new Limit(concurrency);
  }

  /** The full object key of a store key. */
  key(key: string): string {
    return this.prefix ? (key ? `${this.prefix}/${key}` : this.prefix) : key;
  }

  /** `s3://bucket/prefix/key`, for messages. */
  url(key: string): string {
    return formatS3Url({ bucket: this.name, prefix: this.key(key) });
  }

  async head(key: string): Promise<HeadResult | undefined> {
    try {
      const r = await this.limit.run(() => this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: this.key(key) })));
      return { size: r.ContentLength ?? 0, metadata: r.Metadata ?? {}, mtimeMs: r.LastModified?.getTime() ?? 0 };
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw s3Error('HeadObject', this.url(key), e);
    }
  }

  /**
   * GET key and hand its body to `sink`, holding a concurrency slot until the sink is done.
   * A body that breaks mid-way is fetched again from the start (the sink must start over);
   * undefined when the key does not exist.
   */
  async download<T>(key: string, sink: (body: Readable, head: HeadResult) => Promise<T>): Promise<T | undefined> {
    return this.limit.run(async () => {
      for (let attempt = 1; ; attempt++) {
        let body: Readable;
        let head: HeadResult;
        try {
          const r = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: this.key(key) }));
          body = r.Body as Readable;
          head = { size: r.ContentLength ?? 0, metadata: r.Metadata ?? {}, mtimeMs: r.LastModified?.getTime() ?? 0 };
        } catch (e) {
          if (isNotFound(e)) return undefined;
          throw s3Error('GetObject', this.url(key), e);
        }
        try {
          return await sink(body, head);
        } catch (e) {
          body.destroy();
          if (!isBodyStreamError(e)) throw e;
          if (attempt >= BODY_ATTEMPTS) throw s3Error('GetObject (reading the body)', this.url(key), e);
          await sleep(100 * 2 ** attempt * Math.random());
        }
      }
    });
  }

  /** A small object whole, as text, with its metadata. */
  async getText(key: string): Promise<{ text: string; metadata: Record<string, string> } | undefined> {
    return this.download(key, async (body, head) => {
      const chunks: Buffer[] = [];
      for await (const c of body) chunks.push(c as Buffer);
      return { text: Buffer.concat(chunks).toString('utf8'), metadata: head.metadata };
    });
  }

  /**
   * PUT a body whole (S3 makes it visible whole or not at all). With `ifAbsent`, the write is
   * conditional (If-None-Match: *) and 'exists' comes back when the key was already there.
   */
  async putBytes(key: string, body: Uint8Array | string, opts: { metadata?: Record<string, string>; contentType?: string; ifAbsent?: boolean } = {}): Promise<'written' | 'exists'> {
    const cmd = new PutObjectCommand({
      Bucket: this.name, Key: this.key(key), Body: body, ContentType: opts.contentType ?? contentTypeOf(key), Metadata: opts.metadata,
      ...(opts.ifAbsent ? { IfNoneMatch: '*' } : {}),
    });
    try {
      await this.limit.run(() => this.client.send(cmd));
      return 'written';
    } catch (e) {
      if (opts.ifAbsent && isPreconditionFailed(e)) return 'exists';
      // A server without conditional writes: the caller's HEAD is all the protection there is.
      if (opts.ifAbsent && (errorName(e) === 'NotImplemented' || httpStatus(e) === 501)) return this.putBytes(key, body, { ...opts, ifAbsent: false });
      throw s3Error('PutObject', this.url(key), e);
    }
  }

  /**
   * Upload a local file streamed from disk (multipart above one part; never read whole).
   * When the call fails but an object of the expected size is there, the upload did land
   * (e.g. the answer to CompleteMultipartUpload was lost and its retry found no upload).
   */
  async uploadFile(key: string, path: string, size: number): Promise<void> {
    const partSize = Math.max(MIN_PART, Math.ceil(size / MAX_PARTS / 1024 ** 2) * 1024 ** 2);
    const upload = async (): Promise<void> => {
      const up = new Upload({
        client: this.client,
        params: { Bucket: this.name, Key: this.key(key), Body: createReadStream(path, { highWaterMark: READ_CHUNK }), ContentType: contentTypeOf(key) },
        partSize,
        queueSize: QUEUE_SIZE,
        // Aborted below instead: lib-storage would throw the abort's own error (e.g. a server
        // without AbortMultipartUpload) in place of the failure that matters.
        leavePartsOnError: true,
      });
      try {
        await up.done();
      } catch (e) {
        if (up.uploadId) {
          await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.name, Key: this.key(key), UploadId: up.uploadId })).catch(() => undefined);
        }
        throw e;
      }
    };
    try {
      // A big upload takes a multipart slot first, then a request slot (always in this order: no deadlock).
      if (size > partSize) await this.multipart.run(() => this.limit.run(upload));
      else await this.limit.run(upload);
    } catch (e) {
      if ((await this.head(key).catch(() => undefined))?.size === size) return;
      throw s3Error(size > partSize ? 'multipart upload' : 'PutObject', this.url(key), e);
    }
  }

  /**
   * Immediate children of a "directory": object names and common prefixes, without the
   * trailing '/'. Pages with StartAfter (the last name seen) rather than continuation tokens:
   * every S3 flavour supports it, and a prefix repeated at a page boundary is merged.
   */
  async listChildren(prefix: string): Promise<string[]> {
    const full = this.key(prefix);
    const p = full ? `${full}/` : '';
    const names = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const cmd = new ListObjectsV2Command({ Bucket: this.name, Prefix: p || undefined, Delimiter: '/', StartAfter: after });
      let r;
      try {
        r = await this.limit.run(() => this.client.send(cmd));
      } catch (e) {
        throw s3Error('ListObjectsV2', this.url(prefix), e);
      }
      const prefixes = (r.CommonPrefixes ?? []).map((c) => c.Prefix ?? '').filter(Boolean);
      const objects = (r.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k.length > p.length && !k.endsWith('/'));
      for (const cp of prefixes) names.add(cp.slice(p.length, -1));
      for (const k of objects) names.add(k.slice(p.length));
      const last = [prefixes.at(-1) ?? '', objects.at(-1) ?? ''].sort().at(-1);
      if (!r.IsTruncated || !last || last === after) break;
      after = last;
    }
    return [...names];
  }

  /**
   * Every key under `prefix/` (recursively), in key order, a page (1,000 keys) at a time:
   * memory does not grow with the listing.
   */
  async *listAll(prefix: string): AsyncGenerator<ListedKey> {
    const full = this.key(prefix);
    const p = full ? `${full}/` : '';
    const strip = this.prefix ? this.prefix.length + 1 : 0;
    let after: string | undefined;
    for (;;) {
      const cmd = new ListObjectsV2Command({ Bucket: this.name, Prefix: p || undefined, StartAfter: after });
      let r;
      try {
        r = await this.limit.run(() => this.client.send(cmd));
      } catch (e) {
        throw s3Error('ListObjectsV2', this.url(prefix), e);
      }
      const page = (r.Contents ?? []).filter((o) => o.Key && o.Key.length > p.length && !o.Key.endsWith('/'));
      for (const o of page) yield { key: o.Key!.slice(strip), size: o.Size ?? 0, mtimeMs: o.LastModified?.getTime() ?? 0 };
      const last = r.Contents?.at(-1)?.Key;
      if (!r.IsTruncated || !last || last === after) return;
      after = last;
    }
  }

  /** Remove a key (absent is fine: S3 answers a delete of nothing with success). */
  async delete(key: string): Promise<void> {
    try {
      await this.limit.run(() => this.client.send(new DeleteObjectCommand({ Bucket: this.name, Key: this.key(key) })));
    } catch (e) {
      if (isNotFound(e)) return;
      throw s3Error('DeleteObject', this.url(key), e);
    }
  }

  /** A server-side copy of `from` to `to` (both store keys); false when `from` does not exist. */
  async copy(from: string, to: string): Promise<boolean> {
    const cmd = new CopyObjectCommand({ Bucket: this.name, Key: this.key(to), CopySource: encodeURI(`${this.name}/${this.key(from)}`) });
    try {
      await this.limit.run(() => this.client.send(cmd));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw s3Error('CopyObject', this.url(from), e);
    }
  }

  /** Whether any object lives under `prefix/` (a "directory" exists). */
  async hasChildren(prefix: string): Promise<boolean> {
    const cmd = new ListObjectsV2Command({ Bucket: this.name, Prefix: `${this.key(prefix)}/`, MaxKeys: 1 });
    try {
      const r = await this.limit.run(() => this.client.send(cmd));
      return (r.KeyCount ?? r.Contents?.length ?? 0) > 0;
    } catch (e) {
      throw s3Error('ListObjectsV2', this.url(prefix), e);
    }
  }
}

function contentTypeOf(key: string): string {
  if (key.endsWith('.json')) return 'application/json';
  if (key.endsWith('.ndjson')) return 'application/x-ndjson';
  if (/(^|\/)(stdout|stderr)$/.test(key)) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}
