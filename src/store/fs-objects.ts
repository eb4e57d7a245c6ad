/**
 * The object half of the local backend: content-addressed, read-only (0444) files at
 * `objects/sha256/<2 hex>/<hash>`, written through the scratch dir and renamed into place
 * so an object is never visible half-written. Outputs are taken by rename (no copy), the
 * user's files are copied, and staging is a hardlink (O(1), nothing read or verified).
 *
 * No fsync (see fs-backend.ts). The one crash leftover that matters, an object that exists
 * under its hash but lost its data, is caught cheaply: an existing object only counts as
 * present when its size matches (isWhole), and full reads verify the hash.
 */
import { constants } from 'node:fs';
import { chmod, copyFile, link, lstat, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { FlowctlError } from '../errors.js';
import { copyOut, errno, renameInto, sameStat, tempName } from './fs-util.js';
import { checkHash, hashFile, sha256 } from './hash.js';
import type { MaterializeOptions, ObjectInfo } from './port.js';
import { keys } from './records.js';

const { COPYFILE_FICLONE } = constants;
/** Files up to this size are read whole rather than streamed. */
const SMALL_FILE = 1024 * 1024;

/** Errors of `link` that mean "cannot hardlink here", not "something is wrong". */
const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

export class FsObjects {
  /** root: the store root; scratch: a directory on the same filesystem for temp files. */
  constructor(private readonly root: string, private readonly scratch: string) {}

  /** The object's file. */
  path(hash: string): string {
    return join(this.root, keys.object(checkHash(hash)));
  }

  async putFile(srcPath: string, opts: { move?: boolean } = {}): Promise<ObjectInfo> {
    if (opts.move) {
      const taken = await this.takeFile(srcPath);
      if (taken) return this.adoptTemp(taken, await this.hashOrRestore(taken, srcPath));
      // Not ours to take (hardlinked elsewhere, a symlink, another filesystem): copy, then drop it.
      const info = await this.copyIn(srcPath);
      await rm(srcPath, { force: true });
      return info;
    }
    return this.copyIn(srcPath);
  }

  async putBytes(data: Uint8Array | string): Promise<ObjectInfo> {
    const info = { hash: sha256(data), size: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
    if (await this.isWhole(info)) return info;
    const tmp = join(this.scratch, tempName('obj'));
    try {
      await writeFile(tmp, data, { mode: 0o444 });
      await renameInto(tmp, this.path(info.hash));
      return info;
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  async has(hash: string): Promise<boolean> {
    return stat(this.path(hash)).then(() => true, () => false);
  }

  async getBytes(hash: string): Promise<Buffer> {
    const key = keys.object(checkHash(hash));
    let data: Buffer;
    try {
      data = await readFile(this.path(hash));
    } catch (e) {
      if (errno(e) === 'ENOENT') throw missingObject(hash, key, e);
      throw e;
    }
    const actual = sha256(data);
    if (actual !== hash) {
      throw new FlowctlError('STORE_CORRUPT', `Object ${key} is corrupt: its content hashes to ${actual}`, {
        hint: `Delete ${this.path(hash)} and re-run the step that produced it.`,
      });
    }
    return data;
  }

  /** O(1): a hardlink, never a read. Verification is left to getObjectBytes. */
  async materialize(hash: string, destPath: string, opts: MaterializeOptions = {}): Promise<void> {
    const key = keys.object(checkHash(hash));
    const obj = this.path(hash);
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
      if (errno(e) === 'ENOENT' && !(await this.has(hash))) throw missingObject(hash, key, e);
      if (errno(e) === 'EEXIST') {
        throw new FlowctlError('STAGE_CONFLICT', `Cannot stage ${key} at ${destPath}: a file is already there`, { cause: e });
      }
      throw e;
    }
  }

  /** An object counts as present only when its size matches: a crash can leave an empty file under its name. */
  private async isWhole(info: ObjectInfo): Promise<boolean> {
    const st = await stat(this.path(info.hash)).catch(() => undefined);
    return st !== undefined && st.size === info.size;
  }

  /**
   * Move a temp file holding `info`'s content into place, unless the object already exists.
   * A concurrent writer of the same content may rename over ours: same bytes, no harm.
   */
  private async adoptTemp(tmp: string, info: ObjectInfo, opts: { checked?: boolean } = {}): Promise<ObjectInfo> {
    try {
      if (!opts.checked && (await this.isWhole(info))) {
        await rm(tmp, { force: true });
        return info;
      }
      await chmod(tmp, 0o444);
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
    if (await this.isWhole(pre)) return pre;
    const tmp = join(this.scratch, tempName('obj'));
    try {
      await copyFile(srcPath, tmp, COPYFILE_FICLONE);
      const after = await stat(srcPath, { bigint: true });
      const info = sameStat(before, after) ? pre : await hashFile(tmp);
      return await this.adoptTemp(tmp, info, { checked: info === pre });
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

}



function missingObject(hash: string, key: string, cause: unknown): FlowctlError {
  return new FlowctlError('STORE_MISSING_OBJECT', `Object ${hash} is missing from the store (${key})`, { cause });
}
