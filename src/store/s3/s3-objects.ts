/**
 * The object port on S3: `objects/sha256/<2 hex>/<hash>` in the bucket, uploaded only when
 * absent, downloaded once into the local cache with the hash checked while streaming, staged
 * as hardlinks of the cache. Nothing is read whole into memory except what getBytes is asked for.
 *
 * An object's last use is the later of its LastModified and that of its marker
 * `objects/used/<2 hex>/<hash>`, an empty key PUT whenever a run reuses the object without uploading it
 * (`gc` keeps objects used after its cutoff). One marker per object per process: what a
 * process put or touched stays protected while its run lives (gc's cutoff is at most the
 * start of every live run).
 */
import { constants, createWriteStream } from 'node:fs';
import { copyFile, link, lstat, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExitCode, FlowctlError } from '../../errors.js';
import { copyOut, errno, sameStat, tempName } from '../fs-util.js';
import { checkHash, hashFile, sha256 } from '../hash.js';
import { changedWhileRead } from '../object-errors.js';
import { hashedStream } from '../object-read.js';
import type { MaterializeOptions, ObjectEntry, ObjectInfo, ObjectStore, RehashResult } from '../object-store.js';
import { keys } from '../records.js';
import type { ObjectCheck } from '../verified-stat.js';
import type { ObjectCache } from './object-cache.js';
import { formatS3Url } from './parse-url.js';
import { listObjects, objectStat, peekObject, rehashObject, usedKey } from './s3-object-files.js';
import type { S3Bucket } from './s3-bucket.js';

const { COPYFILE_FICLONE } = constants;
/** Files up to this size are read whole: one read, and the bytes hashed are the bytes sent. */
const SMALL_FILE = 1024 * 1024;
/** A download whose hash does not match is fetched once more before the object is called corrupt. */
const VERIFY_ATTEMPTS = 2;
const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  readonly location: string;
  readonly checksAreCheap = false;
  readonly damagedCopies = 'dropped' as const;
  /** Hashes this process saw in the bucket: objects are immutable, so one HEAD per process is enough. */
  private readonly known = new Set<string>();
  /** Hashes this process put or touched (see the file comment). */
  private readonly touched = new Set<string>();
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(readonly bucket: S3Bucket, readonly cache: ObjectCache) {
    this.location = formatS3Url({ bucket: bucket.name, prefix: bucket.prefix });
  }

  /** The local cache's copy: what staging hard-links. */
  localFile(hash: string): string {
    return this.cache.path(checkHash(hash));
  }

  scratchDir(): string {
    return this.cache.scratchDir();
  }

  tempDir(): string {
    return this.cache.tmpDir();
  }

  async putFile(srcPath: string, opts: { move?: boolean } = {}): Promise<ObjectInfo> {
    const taken = opts.move ? await this.take(srcPath) : undefined;
    if (taken) {
      let info: ObjectInfo;
      try {
        info = await hashFile(taken);
      } catch (e) {
        await rename(taken, srcPath).catch(() => undefined);
        throw e;
      }
      // If the upload fails, the output goes back where it was: a failed task's dir stays inspectable.
      return this.storeTemp(taken, info, srcPath);
    }
    const before = await stat(srcPath, { bigint: true });
    if (before.size <= SMALL_FILE) {
      const info = await this.putBytes(await readFile(srcPath));
      if (opts.move) await rm(srcPath, { force: true });
      return info;
    }
    // Hash in place first: content already uploaded and cached costs no copy at all.
    const pre = await hashFile(srcPath);
    if ((await this.cache.lookup(pre.hash)) && (await this.touch(pre.hash))) {
      if (opts.move) await rm(srcPath, { force: true });
      return pre;
    }
    const tmp = this.cache.tempPath('up');
    try {
      await copyFile(srcPath, tmp, COPYFILE_FICLONE);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    // The copy is what gets uploaded: trust the first hash only if the source did not change meanwhile.
    const info = sameStat(before, await stat(srcPath, { bigint: true })) ? pre : await hashFile(tmp);
    const stored = await this.storeTemp(tmp, info);
    if (opts.move) await rm(srcPath, { force: true });
    return stored;
  }

  async putBytes(data: Uint8Array | string): Promise<ObjectInfo> {
    const info = { hash: sha256(data), size: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
    if (!(await this.touch(info.hash))) {
      await this.bucket.putBytes(keys.object(info.hash), data);
      this.added(info.hash);
    }
    await this.cache.putBytes(info, data);
    return info;
  }

  async has(hash: string): Promise<boolean> {
    if (this.known.has(checkHash(hash))) return true;
    const found = (await this.bucket.head(keys.object(hash))) !== undefined;
    if (found) this.known.add(hash);
    return found;
  }

  /**
   * Present, then the marker: a gc that looks at the object after this finds it used. (A gc
   * deleting it between the two requests is the one window S3 leaves: it has no atomic
   * check-and-delete. The task that needs the object then fails as missing, and a resume
   * puts it back.)
   */
  async touch(hash: string): Promise<boolean> {
    if (this.touched.has(checkHash(hash))) return true;
    if ((await this.bucket.head(keys.object(hash))) === undefined) return false;
    await this.bucket.putBytes(usedKey(hash), '');
    this.added(hash);
    return true;
  }

  read(hash: string, size: number): AsyncIterable<Buffer> {
    const self = this;
    return (async function* () {
      // Staged aside first (a hard link of the verified cache copy): a cache sweep cannot take it mid-stream.
      const tmp = join(self.cache.tmpDir(), tempName('read'));
      await self.materialize(hash, tmp, { size });
      try {
        yield* hashedStream(tmp, hash, (actual) => changedWhileRead(keys.object(hash), actual));
      } finally {
        await rm(tmp, { force: true });
      }
    })();
  }

  peekBytes(hash: string): Promise<Buffer | undefined> {
    return peekObject(this.bucket, checkHash(hash));
  }

  /** Checks the local cache's copy; a damaged one is dropped (the bucket's copy is untouched and downloaded again when needed). */
  verify(hash: string, opts: { size?: number } = {}): Promise<ObjectCheck> {
    return this.cache.check(checkHash(hash), opts.size);
  }

  rehash(hash: string): Promise<RehashResult> {
    return rehashObject(this.bucket, checkHash(hash));
  }

  stat(hash: string): Promise<ObjectEntry | undefined> {
    return objectStat(this.bucket, checkHash(hash));
  }

  list(): AsyncIterable<ObjectEntry> {
    return listObjects(this.bucket);
  }

  async delete(hash: string): Promise<void> {
    await this.bucket.delete(keys.object(checkHash(hash)));
    await this.bucket.delete(usedKey(hash));
    this.forget(hash);
  }

  /** Judged by a fresh HEAD of the object and its marker just before the delete (S3 has no atomic check-and-delete). */
  async deleteUnusedSince(hash: string, cutoffMs: number): Promise<number> {
    const now = await this.stat(hash);
    if (!now || now.usedAtMs >= cutoffMs) return 0;
    await this.delete(hash);
    return now.size;
  }

  /** A copy under `quarantine/<hash>.<time>-<pid>` in the bucket, then the object removed. */
  async quarantine(hash: string): Promise<void> {
    // Only if damaged still: a run may have put a good copy since fsck looked (S3 has no
    // compare-and-delete, so this narrows the window to the copy below rather than closing it).
    if ((await this.rehash(hash)) !== 'damaged') return;
    const dest = `quarantine/${checkHash(hash)}.${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`;
    if (await this.bucket.copy(keys.object(hash), dest)) await this.delete(hash);
    await this.cache.drop(hash);
  }

  /** The content, verified (a cached copy is re-checked too: it is read whole anyway). */
  async getBytes(hash: string): Promise<Buffer> {
    for (let i = 0; ; i++) {
      const path = await this.fetch(hash);
      const data = await readFile(path);
      if (sha256(data) === hash) return data;
      await this.cache.drop(hash);
      if (i > 0) throw this.corrupt(hash);
    }
  }

  /** Download into the cache when needed, then hardlink (a private copy for executables). */
  async materialize(hash: string, destPath: string, opts: MaterializeOptions = {}): Promise<void> {
    await mkdir(dirname(destPath), { recursive: true });
    for (let i = 0; ; i++) {
      const cached = await this.fetch(hash);
      try {
        if (opts.executable) return await copyOut(cached, destPath, 0o555);
        try {
          return await link(cached, destPath);
        } catch (e) {
          if (!LINK_UNSUPPORTED.has(errno(e) ?? '')) throw e;
          return await copyOut(cached, destPath, 0o444);
        }
      } catch (e) {
        // Another process's cache sweep may have removed it between fetch and link: fetch again, once.
        if (errno(e) === 'ENOENT' && i === 0) continue;
        if (errno(e) === 'EEXIST') {
          throw new FlowctlError('STAGE_CONFLICT', `Cannot stage ${keys.object(hash)} at ${destPath}: a file is already there`, { cause: e });
        }
        throw e;
      }
    }
  }

  /** Upload a temp file holding `info`'s content unless the bucket has it, then keep it in the cache. */
  private async storeTemp(tmp: string, info: ObjectInfo, restoreTo?: string): Promise<ObjectInfo> {
    try {
      if (!(await this.touch(info.hash))) {
        await this.bucket.uploadFile(keys.object(info.hash), tmp, info.size);
        this.added(info.hash);
      }
      await this.cache.adopt(tmp, info);
      return info;
    } catch (e) {
      if (!restoreTo || !(await rename(tmp, restoreTo).then(() => true, () => false))) await rm(tmp, { force: true });
      throw e;
    }
  }

  /** The cached file of `hash`, downloading it first (once per process for concurrent callers). */
  private fetch(hash: string): Promise<string> {
    checkHash(hash);
    let p = this.fetching.get(hash);
    if (!p) {
      p = this.download(hash).finally(() => this.fetching.delete(hash));
      this.fetching.set(hash, p);
    }
    return p;
  }

  private async download(hash: string): Promise<string> {
    const hit = await this.cache.lookup(hash);
    if (hit) return hit;
    const key = keys.object(hash);
    for (let attempt = 1; ; attempt++) {
      const tmp = this.cache.tempPath('dl');
      try {
        const got = await this.bucket.download(key, (body) => writeHashed(body, tmp));
        if (got === undefined) {
          throw new FlowctlError('STORE_MISSING_OBJECT', `Object ${hash} is missing from the store (${this.bucket.url(key)})`, { exitCode: ExitCode.StepFailed });
        }
        if (got.hash === hash) {
          this.known.add(hash);
          return await this.cache.adopt(tmp, got);
        }
        if (attempt >= VERIFY_ATTEMPTS) throw this.corrupt(hash, got.hash);
      } finally {
        await rm(tmp, { force: true });
      }
    }
  }

  /**
   * Rename an output into the cache's tmp dir, so what is hashed is exactly what is uploaded
   * and cached. Not when the file is not ours to take: a symlink, hardlinked elsewhere (a
   * writable path to a cached object), or on another filesystem.
   */
  private async take(srcPath: string): Promise<string | undefined> {
    const st = await lstat(srcPath);
    if (!st.isFile() || st.nlink !== 1) return undefined;
    const tmp = this.cache.tempPath('up');
    try {
      await rename(srcPath, tmp);
      return tmp;
    } catch (e) {
      if (errno(e) === 'EXDEV') return undefined;
      throw e;
    }
  }

  /** Put or touched by this process: present, and protected from gc while its run lives. */
  private added(hash: string): void {
    this.known.add(hash);
    this.touched.add(hash);
  }

  private forget(hash: string): void {
    this.known.delete(hash);
    this.touched.delete(hash);
  }

  private corrupt(hash: string, actual?: string): FlowctlError {
    const url = this.bucket.url(keys.object(hash));
    return new FlowctlError('STORE_CORRUPT', `Object ${url} is corrupt${actual ? `: its content hashes to ${actual}` : ''}`, {
      exitCode: ExitCode.StepFailed,
      hint: `Delete ${url} and re-run the step that produced it.`,
    });
  }
}

/** Stream a body into a new file, hashing on the way. */
async function writeHashed(body: Readable, path: string): Promise<ObjectInfo> {
  const h = createHash('sha256');
  let size = 0;
  const hasher = new Transform({
    transform(chunk: Buffer, _enc, done) {
      h.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(body, hasher, createWriteStream(path, { mode: 0o600 }));
  return { hash: h.digest('hex'), size };
}



