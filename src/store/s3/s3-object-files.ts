/**
 * The maintenance side of the S3 object store (fsck, gc): listing every object with its last
 * use, reading or re-hashing one without touching the local cache, and the `.used` markers
 * (s3-objects.ts) that record a reuse.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { isSha256 } from '../hash.js';
import type { ObjectEntry, RehashResult } from '../object-store.js';
import { keys } from '../records.js';
import type { S3Bucket } from './s3-bucket.js';

const OBJECTS = 'objects/sha256';
const USED = 'objects/used';

/** The marker key a reuse of `hash` is recorded at (beside objects/sha256, sharded the same way). */
export function usedKey(hash: string): string {
  return `${USED}/${hash.slice(0, 2)}/${hash}`;
}

/**
 * Every object, in hash order, with its last use: two streamed listings (objects and markers),
 * both in hash order, merged as they go, so nothing is held but the current page of each.
 * Markers without an object are left out.
 */
export async function* listObjects(bucket: S3Bucket): AsyncGenerator<ObjectEntry> {
  const markers = hashes(bucket.listAll(USED))[Symbol.asyncIterator]();
  let marker = await markers.next();
  for await (const o of hashes(bucket.listAll(OBJECTS))) {
    while (!marker.done && marker.value.hash < o.hash) marker = await markers.next();
    const used = !marker.done && marker.value.hash === o.hash ? marker.value.mtimeMs : 0;
    yield { hash: o.hash, size: o.size, usedAtMs: Math.max(o.mtimeMs, used) };
  }
}

/** Listed keys that end in a hash, as `{hash, size, mtimeMs}`. */
async function* hashes(keysListed: AsyncIterable<{ key: string; size: number; mtimeMs: number }>): AsyncGenerator<{ hash: string; size: number; mtimeMs: number }> {
  for await (const k of keysListed) {
    const name = k.key.slice(k.key.lastIndexOf('/') + 1);
    if (isSha256(name)) yield { hash: name, size: k.size, mtimeMs: k.mtimeMs };
  }
}

/** Size and last use (the later of the object's and its marker's LastModified); undefined when absent. */
export async function objectStat(bucket: S3Bucket, hash: string): Promise<ObjectEntry | undefined> {
  const [obj, used] = await Promise.all([bucket.head(keys.object(hash)), bucket.head(usedKey(hash))]);
  if (!obj) return undefined;
  return { hash, size: obj.size, usedAtMs: Math.max(obj.mtimeMs, used?.mtimeMs ?? 0) };
}

/** The bucket's bytes as they are (no local cache, no check). */
export function peekObject(bucket: S3Bucket, hash: string): Promise<Buffer | undefined> {
  return bucket.download(keys.object(hash), async (body) => {
    const chunks: Buffer[] = [];
    for await (const c of body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  });
}

/** Download and hash the bucket's copy, streamed (nothing written locally). */
export async function rehashObject(bucket: S3Bucket, hash: string): Promise<RehashResult> {
  const actual = await bucket.download(keys.object(hash), async (body: Readable) => {
    const h = createHash('sha256');
    for await (const c of body) h.update(c as Buffer);
    return h.digest('hex');
  });
  if (actual === undefined) return 'missing';
  return actual === hash ? 'intact' : 'damaged';
}
