/**
 * The object half of the S3 backend: `objects/sha256/<2 hex>/<hash>` in the bucket, uploaded
 * only when absent (HEAD first), downloaded once into the local cache with the hash checked
 * while streaming, staged as hardlinks of the cache. Nothing is read whole into memory except
 * what getObjectBytes is asked for.
 */
import { constants, createWriteStream } from 'node:fs';
import { copyFile, link, lstat, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExitCode, FlowctlError } from '../../errors.js';
import { copyOut, errno, sameStat } from '../fs-util.js';
import { checkHash, hashFile, sha256 } from '../hash.js';
import type { MaterializeOptions, ObjectInfo } from '../port.js';
import { keys } from '../records.js';
import type { ObjectCache } from './object-cache.js';
import type { S3Bucket } from './s3-bucket.js';

const { COPYFILE_FICLONE } = constants;
/** Files up to this size are read whole: one read, and the bytes hashed are the bytes sent. */
const SMALL_FILE = 1024 * 1024;
/** A download whose hash does not match is fetched once more before the object is called corrupt. */
const VERIFY_ATTEMPTS = 2;
const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

export class S3Objects {
  /** Hashes this process saw in the bucket: objects are immutable, so one HEAD per process is enough. */
  private readonly known = new Set<string>();
  private readonly fetching = new Map<string, Promise<string>>();

  constructor(private readonly bucket: S3Bucket, private readonly cache: ObjectCache) {}

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
    if ((await this.cache.lookup(pre.hash)) && (await this.has(pre.hash))) {
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
    if (!(await this.has(info.hash))) {
      await this.bucket.putBytes(keys.object(info.hash), data);
      this.known.add(info.hash);
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
      if (!(await this.has(info.hash))) {
        await this.bucket.uploadFile(keys.object(info.hash), tmp, info.size);
        this.known.add(info.hash);
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



