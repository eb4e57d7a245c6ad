/**
 * The object port on a local directory: content-addressed, read-only (0444) files at
 * `objects/sha256/<2 hex>/<hash>`, written through the scratch dir and renamed into place
 * so an object is never visible half-written. Outputs are taken by rename (no copy), the
 * user's files are copied, and staging is a hardlink.
 *
 * Verify before use (verified-stat.ts): an object is staged, counted as present or streamed
 * only after its lstat shows it unchanged since it was verified, else after a re-hash. An
 * object whose content no longer matches is moved to `quarantine/`, so nothing hands it on,
 * cache entries that point at it become misses, and re-producing it writes a good copy.
 *
 * An object's access time is its last use (set when it is put, reused or touched; the
 * verified-stat mark lives in its mtime): `gc` keeps objects used after its cutoff.
 *
 * No fsync (see fs-keys.ts). A crash can leave an object under its hash that lost its
 * data; the same check catches it (its size or stat is off), and full reads verify the hash.
 */
import { constants } from 'node:fs';
import { copyFile, link, lstat, mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FlowctlError } from '../errors.js';
import { deleteUnusedSince, listObjectFiles, objectEntry, rehashFile } from './fs-object-files.js';
import { copyOut, errno, renameInto, sameStat, tempName } from './fs-util.js';
import { checkHash, hashFile, openQuietly, sha256 } from './hash.js';
import { changedWhileRead, corruptObject, missingObject } from './object-errors.js';
import { hashedStream } from './object-read.js';
import type { MaterializeOptions, ObjectEntry, ObjectInfo, ObjectStore, RehashResult } from './object-store.js';
import { keys } from './records.js';
import { checkObjectFile, looksVerified, lstatQuiet, markVerified, sameInode, type ObjectCheck } from './verified-stat.js';

const { COPYFILE_FICLONE } = constants;
/** Files up to this size are read whole rather than streamed. */
const SMALL_FILE = 1024 * 1024;

/** Errors of `link` that mean "cannot hardlink here", not "something is wrong". */
const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

/** Where damaged objects go, under the store root: kept for inspection, never read by flowctl. */
export const QUARANTINE_DIR = 'quarantine';

export class FsObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  readonly checksAreCheap = true;
  readonly damagedCopies = 'quarantined' as const;

  /**
   * root: the store root; scratch: a directory on the same filesystem for temp files and task
   * directories; readOnly (a dry run, see read-only.ts): checks leave every file as found (no
   * stat reset, no quarantine: a damaged object only reads as absent).
   */
  constructor(private readonly root: string, private readonly scratch: string, private readonly readOnly = false) {}

  get location(): string {
    return this.root;
  }

  /** The object's file. */
  path(hash: string): string {
    return join(this.root, keys.object(checkHash(hash)));
  }

  localFile(hash: string): string {
    return this.path(hash);
  }

  scratchDir(): string {
    return this.scratch;
  }

  tempDir(): string {
    return this.scratch;
  }

  async putFile(srcPath: string, opts: { move?: boolean } = {}): Promise<ObjectInfo> {
    if (opts.move) {
      const taken = await this.takeFile(srcPath);
      // A taken file is exactly what was hashed: it replaces whatever is stored under that hash.
      if (taken) return this.adoptTemp(taken, await this.hashOrRestore(taken, srcPath), { replace: true });
      // Not ours to take (hardlinked elsewhere, a symlink, another filesystem): copy, then drop it.
      const info = await this.copyIn(srcPath);
      await rm(srcPath, { force: true });
      return info;
    }
    return this.copyIn(srcPath);
  }

  async putBytes(data: Uint8Array | string): Promise<ObjectInfo> {
    const info = { hash: sha256(data), size: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
    if (await this.touchWhole(info)) return info;
    const tmp = join(this.scratch, tempName('obj'));
    try {
      await writeFile(tmp, data, { mode: 0o444 });
      await markVerified(tmp, { mode: 0o444 });
      await renameInto(tmp, this.path(info.hash));
      return info;
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /** Present and, by its stat, intact (a damaged object is quarantined and so absent). */
  async has(hash: string): Promise<boolean> {
    const state = await this.verify(hash);
    return state === 'intact' || state === 'repaired';
  }

  /** `has`, then the access time set to now: the object's last use, which gc compares with its cutoff. */
  async touch(hash: string): Promise<boolean> {
    if (!(await this.has(hash))) return false;
    return this.setUsed(this.path(hash));
  }

  read(hash: string, size: number): AsyncIterable<Buffer> {
    const key = keys.object(checkHash(hash));
    const self = this;
    return (async function* () {
      const state = await self.verify(hash, { size });
      if (state === 'missing') throw missingObject(hash, key);
      if (state === 'damaged') throw corruptObject(key, 'its content no longer matches its hash', self.quarantineDir());
      yield* hashedStream(self.path(hash), hash, (actual) => changedWhileRead(key, actual));
    })();
  }

  /** Read without touching the access time (the object's last use): a gc or fsck reading a manifest does not use it. */
  async peekBytes(hash: string): Promise<Buffer | undefined> {
    try {
      return await readQuietly(this.path(hash));
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  rehash(hash: string): Promise<RehashResult> {
    return rehashFile(this.path(hash), hash);
  }

  stat(hash: string): Promise<ObjectEntry | undefined> {
    return objectEntry(this.path(hash), checkHash(hash));
  }

  list(): AsyncIterable<ObjectEntry> {
    return listObjectFiles(join(this.root, 'objects', 'sha256'));
  }

  async delete(hash: string): Promise<void> {
    await rm(this.path(hash), { force: true });
  }

  deleteUnusedSince(hash: string, cutoffMs: number): Promise<number> {
    return deleteUnusedSince(this.path(hash), join(this.scratch, tempName('gc')), cutoffMs);
  }

  /** The content, verified against its hash; a mismatch quarantines the object (STORE_CORRUPT). */
  async getBytes(hash: string): Promise<Buffer> {
    const key = keys.object(checkHash(hash));
    const path = this.path(hash);
    let data: Buffer;
    let st;
    try {
      st = await lstat(path, { bigint: true });
      // Read-only (a dry run): a look is not a use, so the access time (gc's last use) stays.
      data = this.readOnly ? await readQuietly(path) : await readFile(path);
    } catch (e) {
      if (errno(e) === 'ENOENT') throw missingObject(hash, key, e);
      throw e;
    }
    const actual = sha256(data);
    if (actual !== hash) {
      await this.quarantineInode(hash, st.ino);
      throw corruptObject(key, `its content hashes to ${actual}`, this.quarantineDir());
    }
    // Read whole and found good (and not written meanwhile): the next cheap check may trust its stat again.
    if (!looksVerified(st) && !this.readOnly) {
      const after = await lstat(path, { bigint: true }).catch(() => undefined);
      if (after && sameStat(st, after)) await markVerified(path, { mode: Number(st.mode) });
    }
    return data;
  }

  /**
   * The object checked by its stat (re-hashed when the stat changed since it was verified):
   * a damaged one is moved to quarantine/.
   */
  verify(hash: string, opts: { size?: number } = {}): Promise<ObjectCheck> {
    const size = opts.size;
    return checkObjectFile(this.path(hash), hash, { size, repair: !this.readOnly, quarantine: (ino) => this.quarantineInode(hash, ino) });
  }

  /** A hardlink (a private copy for executables or across filesystems), once the object checks out. */
  async materialize(hash: string, destPath: string, opts: MaterializeOptions = {}): Promise<void> {
    const key = keys.object(checkHash(hash));
    const obj = this.path(hash);
    const state = await this.verify(hash, { size: opts.size });
    if (state === 'missing') throw missingObject(hash, key);
    if (state === 'damaged') throw corruptObject(key, 'its content no longer matches its hash', this.quarantineDir());
    await mkdir(dirname(destPath), { recursive: true });
    try {
      if (opts.executable) return await copyOut(obj, destPath, 0o555);
      try {
        await link(obj, destPath);
      } catch (e) {
        if (!LINK_UNSUPPORTED.has(errno(e) ?? '')) throw e;
        await copyOut(obj, destPath, 0o444);
      }
    } catch (e) {
      if (errno(e) === 'ENOENT' && lstatQuiet(obj) === undefined) throw missingObject(hash, key, e);
      if (errno(e) === 'EEXIST') {
        throw new FlowctlError('STAGE_CONFLICT', `Cannot stage ${key} at ${destPath}: a file is already there`, { cause: e });
      }
      throw e;
    }
  }

  /**
   * Move the object to quarantine/ (`fsck --repair` found it damaged) if it is damaged still: a
   * run may have put a good copy since (a new inode), which stays.
   */
  async quarantine(hash: string): Promise<void> {
    const st = await lstat(this.path(hash), { bigint: true }).catch(() => undefined);
    if (!st) return;
    if ((await rehashFile(this.path(hash), hash)) !== 'damaged') return;
    // Only the inode that was hashed: a good copy renamed in meanwhile is left alone.
    await this.quarantineInode(hash, st.ino);
  }

  /**
   * Move a damaged object out of objects/ (only if it is still the inode found bad: a good copy
   * may have replaced it meanwhile).
   */
  private async quarantineInode(hash: string, ino: bigint): Promise<void> {
    if (this.readOnly || !sameInode(this.path(hash), ino)) return;
    const dest = join(this.quarantineDir(), `${hash}.${new Date().toISOString().replace(/[-:.]/g, '')}-${process.pid}`);
    await renameInto(this.path(hash), dest).catch((e) => {
      if (errno(e) !== 'ENOENT') throw e;
    });
  }

  /** `<store>/quarantine/`: damaged objects, named `<hash>.<time>-<pid>`. */
  quarantineDir(): string {
    return join(this.root, QUARANTINE_DIR);
  }

  /**
   * Present, and by its stat unchanged since verified. Anything else (absent, a crash left it
   * empty, written to since) is simply replaced by the caller's good copy.
   */
  private isWhole(info: ObjectInfo): boolean {
    const st = lstatQuiet(this.path(info.hash));
    return st !== undefined && looksVerified(st, info.size);
  }

  /** isWhole, and then marked as used now (content a run has again keeps its object through a concurrent gc). */
  private async touchWhole(info: ObjectInfo): Promise<boolean> {
    return this.isWhole(info) && (await this.setUsed(this.path(info.hash)));
  }

  /**
   * Set the access time to now, keeping the mtime (the verified-stat mark). False when the file
   * is gone (a gc removed it just now: the caller writes it again). A file another user owns
   * cannot be touched: it counts as present, and only a concurrent gc could miss its use.
   */
  private async setUsed(path: string): Promise<boolean> {
    const st = lstatQuiet(path);
    if (!st) return false;
    try {
      await utimes(path, new Date(), st.mtime);
      return true;
    } catch (e) {
      if (errno(e) === 'ENOENT') return false;
      if (errno(e) === 'EPERM' || errno(e) === 'EACCES' || errno(e) === 'EROFS') return true;
      throw e;
    }
  }

  /** Move a temp file holding `info`'s content into place, unless (without `replace`) an intact object is there already. */
  private async adoptTemp(tmp: string, info: ObjectInfo, opts: { replace?: boolean } = {}): Promise<ObjectInfo> {
    try {
      if (!opts.replace && (await this.touchWhole(info))) {
        await rm(tmp, { force: true });
        return info;
      }
      await markVerified(tmp);
      // A concurrent writer of the same content may rename over ours: same bytes, no harm.
      await renameInto(tmp, this.path(info.hash));
      return info;
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  /**
   * Rename srcPath into the scratch dir so the hash is taken of exactly what gets stored
   * and nothing in the task dir can change it meanwhile. Returns undefined when the file
   * is not ours to take: a symlink, hardlinked elsewhere (renaming would put a writable
   * path to a store object in someone's hands), or on another filesystem.
   */
  private async takeFile(srcPath: string): Promise<string | undefined> {
    const st = await lstat(srcPath);
    if (!st.isFile() || st.nlink !== 1) return undefined;
    const tmp = join(this.scratch, tempName('obj'));
    try {
      await rename(srcPath, tmp);
      return tmp;
    } catch (e) {
      if (errno(e) === 'EXDEV') return undefined;
      throw e;
    }
  }

  private async hashOrRestore(tmp: string, srcPath: string): Promise<ObjectInfo> {
    try {
      return await hashFile(tmp);
    } catch (e) {
      await rename(tmp, srcPath).catch(() => undefined);
      throw e;
    }
  }

  /**
   * Copy a file in. Hash the source first so content already stored costs no copy; trust
   * that hash for the copy when the source's stat did not change meanwhile (the same
   * trust git's index gives), else hash the copy: the store holds what the copy holds.
   */
  private async copyIn(srcPath: string): Promise<ObjectInfo> {
    const before = await stat(srcPath, { bigint: true });
    // Small files (most of a code snapshot) in one read: half the syscalls of hash-then-copy,
    // and the bytes hashed are by construction the bytes stored.
    if (before.size <= SMALL_FILE) return this.putBytes(await readFile(srcPath));
    const pre = await hashFile(srcPath);
    if (await this.touchWhole(pre)) return pre;
    const tmp = join(this.scratch, tempName('obj'));
    try {
      await copyFile(srcPath, tmp, COPYFILE_FICLONE);
      const after = await stat(srcPath, { bigint: true });
      const info = sameStat(before, after) ? pre : await hashFile(tmp);
      return await this.adoptTemp(tmp, info, { replace: true });
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}

/** The whole file, read without moving its access time (openQuietly). */
async function readQuietly(path: string): Promise<Buffer> {
  const fh = await openQuietly(path);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}
