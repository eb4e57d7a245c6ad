/**
 * sha256 of files and bytes. Files are hashed with big reads, double-buffered so the next
 * read (libuv thread pool) overlaps hashing the current chunk (main thread): this keeps a
 * 1 GiB output at roughly `openssl dgst -sha256` speed instead of 64 KiB stream chunks.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { FlowctlError } from '../errors.js';

const CHUNK = 4 * 1024 * 1024;

export interface HashResult {
  hash: string;
  size: number;
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function isSha256(hash: string): boolean {
  return /^[0-9a-f]{64}$/.test(hash);
}

/** The hash itself, checked before it becomes part of a key or a path. */
export function checkHash(hash: string): string {
  if (!isSha256(hash)) throw new FlowctlError('STORE_BAD_KEY', `Not a sha256 object hash: ${JSON.stringify(hash)}`);
  return hash;
}

/**
 * Open for reading without updating the access time where the platform allows (Linux, files
 * we own): maintenance reads (gc, fsck) must not look like a use, since an object's access
 * time is its last use (fs-objects.ts).
 */
export async function openQuietly(path: string): Promise<FileHandle> {
  const noAtime = (constants as { O_NOATIME?: number }).O_NOATIME;
  if (noAtime) {
    try {
      return await open(path, constants.O_RDONLY | noAtime);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EPERM' && (e as NodeJS.ErrnoException).code !== 'EINVAL') throw e;
    }
  }
  return open(path, 'r');
}

/** sha256 and size of a file; `quiet` reads it without touching its access time (openQuietly). */
export async function hashFile(path: string, opts: { quiet?: boolean } = {}): Promise<HashResult> {
  const fh = opts.quiet ? await openQuietly(path) : await open(path, 'r');
  try {
    const h = createHash('sha256');
    // Small files (most code) get a small buffer: 8 MiB per file would be pure GC churn.
    const len = Math.min(CHUNK, (await fh.stat()).size + 1);
    const bufs = [Buffer.allocUnsafe(len), Buffer.allocUnsafe(len)];
    let size = 0;
    let i = 0;
    let pending = fh.read(bufs[0], 0, len, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) break;
      const cur = bufs[i];
      i ^= 1;
      // Start the next read before hashing: the two buffers never alias.
      pending = fh.read(bufs[i], 0, len, null);
      h.update(cur.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { hash: h.digest('hex'), size };
  } finally {
    await fh.close();
  }
}
