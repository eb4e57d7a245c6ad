/**
 * The local store backend: the §4 layout as plain files under one root (normally
 * `<project>/.flowctl`). Every write lands in `<root>/tmp` first and is renamed into
 * place, so readers never see half a file; objects are read-only (0444) and shared by
 * hardlink with the task directories that stage them.
 *
 * Durability trade-off: nothing is fsynced. Records are small and written on the hot path
 * (every task state change, every heartbeat) and a run interrupted by a power loss is
 * re-run or resumed anyway; rename still gives atomic visibility. The one failure that
 * would outlive a crash, an object that exists under its hash but lost its data, is caught
 * cheaply: an existing object only counts as present when its size matches (see isWhole),
 * and full reads verify the hash.
 */
import { constants } from 'node:fs';
import { appendFile, chmod, copyFile, link, lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import type { BigIntStats } from 'node:fs';
import { FlowctlError } from '../errors.js';
import { errno, tempName } from './fs-util.js';
import { hashFile, isSha256, sha256 } from './hash.js';
import type { MaterializeOptions, ObjectInfo, StoreBackend } from './port.js';
import { keys } from './records.js';

const { COPYFILE_FICLONE, COPYFILE_EXCL } = constants;

/** Errors of `link` that mean "cannot hardlink here", not "something is wrong". */
const LINK_UNSUPPORTED = new Set(['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EOPNOTSUPP']);

export class FsBackend implements StoreBackend {
  readonly kind = 'local' as const;
  readonly location: string;

  constructor(root: string) {
    if (!isAbsolute(root)) throw new Error(`FsBackend root must be absolute, got ${root}`);
    this.location = root;
  }

  /** Create the root and its scratch dir. The `.gitignore` keeps the store out of the user's commits. */
  async init(): Promise<this> {
    await mkdir(this.scratchDir(), { recursive: true });
    await writeFile(join(this.location, '.gitignore'), '*\n', { flag: 'wx' }).catch((e) => {
      if (errno(e) !== 'EEXIST') throw e;
    });
    return this;
  }

  // ---- objects ----

  async putObjectFile(srcPath: string, opts: { move?: boolean } = {}): Promise<ObjectInfo> {
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

  async putObjectBytes(data: Uint8Array | string): Promise<ObjectInfo> {
    const info = { hash: sha256(data), size: typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength };
    if (await this.isWhole(info)) return info;
    const tmp = this.tempPath('obj');
    await writeFile(tmp, data, { mode: 0o444 });
    return this.adoptTemp(tmp, info);
  }

  async hasObject(hash: string): Promise<boolean> {
    return this.exists(keys.object(checkHash(hash)));
  }

  async getObjectBytes(hash: string): Promise<Buffer> {
    const key = keys.object(checkHash(hash));
    let data: Buffer;
    try {
      data = await readFile(this.path(key));
    } catch (e) {
      if (errno(e) === 'ENOENT') throw missingObject(hash, key, e);
      throw e;
    }
    const actual = sha256(data);
    if (actual !== hash) {
      throw new FlowctlError('STORE_CORRUPT', `Object ${key} is corrupt: its content hashes to ${actual}`, {
        hint: `Delete ${this.path(key)} and re-run the step that produced it.`,
      });
    }
    return data;
  }

  /** O(1): a hardlink, never a read. Verification is left to getObjectBytes. */
  async materializeObject(hash: string, destPath: string, opts: MaterializeOptions = {}): Promise<void> {
    const key = keys.object(checkHash(hash));
    const obj = this.path(key);
    await mkdir(dirname(destPath), { recursive: true });
    try {
      if (opts.executable) return await this.copyOut(obj, destPath, 0o555);
      try {
        await link(obj, destPath);
      } catch (e) {
        if (!LINK_UNSUPPORTED.has(errno(e) ?? '')) throw e;
        await this.copyOut(obj, destPath, 0o444);
      }
    } catch (e) {
      if (errno(e) === 'ENOENT' && !(await this.exists(key))) throw missingObject(hash, key, e);
      if (errno(e) === 'EEXIST') {
        throw new FlowctlError('STAGE_CONFLICT', `Cannot stage ${key} at ${destPath}: a file is already there`, { cause: e });
      }
      throw e;
    }
  }

  // ---- metadata ----

  async putText(key: string, body: string | Uint8Array): Promise<void> {
    const dest = this.path(key);
    const tmp = this.tempPath('txt');
    await writeFile(tmp, body);
    await this.renameInto(tmp, dest);
  }

  async getText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async putFile(key: string, srcPath: string, opts: { move?: boolean } = {}): Promise<void> {
    const dest = this.path(key);
    if (opts.move) {
      try {
        return await this.renameInto(srcPath, dest);
      } catch (e) {
        if (errno(e) !== 'EXDEV') throw e;
      }
    }
    const tmp = this.tempPath('file');
    await copyFile(srcPath, tmp, COPYFILE_FICLONE);
    await this.renameInto(tmp, dest);
    if (opts.move) await rm(srcPath, { force: true });
  }

  async appendText(key: string, text: string): Promise<void> {
    const dest = this.path(key);
    await mkdir(dirname(dest), { recursive: true });
    // O_APPEND: concurrent appenders each land whole lines (one write() per call).
    await appendFile(dest, text, { flag: 'a' });
  }

  async createExclusive(key: string, body: string): Promise<boolean> {
    const dest = this.path(key);
    // link(2) is atomic and fails with EEXIST: the claim and the content appear together,
    // where open(O_EXCL)+write would briefly expose an empty file.
    const tmp = this.tempPath('excl');
    await writeFile(tmp, body);
    try {
      await mkdir(dirname(dest), { recursive: true });
      await link(tmp, dest);
      return true;
    } catch (e) {
      if (errno(e) === 'EEXIST') return false;
      throw e;
    } finally {
      await rm(tmp, { force: true });
    }
  }

  async list(prefix: string): Promise<string[]> {
    try {
      // Code-unit order, not locale order: run ids must sort the same everywhere.
      return (await readdir(this.path(prefix))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return [];
      throw e;
    }
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(() => true, () => false);
  }

  localPath(key: string): string {
    return this.path(key);
  }

  scratchDir(): string {
    return join(this.location, 'tmp');
  }

  // ---- internals ----

  private path(key: string): string {
    return key === '' ? this.location : join(this.location, checkKey(key));
  }

  private tempPath(kind: string): string {
    return join(this.scratchDir(), tempName(kind));
  }

  private async renameInto(src: string, dest: string): Promise<void> {
    try {
      await rename(src, dest);
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      await mkdir(dirname(dest), { recursive: true });
      await rename(src, dest);
    }
  }

  /** An object counts as present only when its size matches: a crash can leave an empty file under its name. */
  private async isWhole(info: ObjectInfo): Promise<boolean> {
    const st = await stat(this.path(keys.object(info.hash))).catch(() => undefined);
    return st !== undefined && st.size === info.size;
  }

  /** Move a temp file holding `info`'s content into place, unless the object already exists. */
  private async adoptTemp(tmp: string, info: ObjectInfo): Promise<ObjectInfo> {
    try {
      if (await this.isWhole(info)) {
        await rm(tmp, { force: true });
        return info;
      }
      await chmod(tmp, 0o444);
      await this.renameInto(tmp, this.path(keys.object(info.hash)));
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
    const tmp = this.tempPath('obj');
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
    const pre = await hashFile(srcPath);
    if (await this.isWhole(pre)) return pre;
    const tmp = this.tempPath('obj');
    try {
      await copyFile(srcPath, tmp, COPYFILE_FICLONE);
      const after = await stat(srcPath, { bigint: true });
      const info = sameStat(before, after) ? pre : await hashFile(tmp);
      return await this.adoptTemp(tmp, info);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  private async copyOut(obj: string, destPath: string, mode: number): Promise<void> {
    await copyFile(obj, destPath, COPYFILE_FICLONE | COPYFILE_EXCL);
    await chmod(destPath, mode);
  }
}

function sameStat(a: BigIntStats, b: BigIntStats): boolean {
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs && a.ino === b.ino;
}

function checkHash(hash: string): string {
  if (!isSha256(hash)) throw new FlowctlError('STORE_BAD_KEY', `Not a sha256 object hash: ${JSON.stringify(hash)}`);
  return hash;
}

/** Keys come from flow, step and run names: refuse anything that could leave the store root. */
function checkKey(key: string): string {
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
    throw new FlowctlError('STORE_BAD_KEY', `Invalid store key ${JSON.stringify(key)}`);
  }
  return key;
}

function missingObject(hash: string, key: string, cause: unknown): FlowctlError {
  return new FlowctlError('STORE_MISSING_OBJECT', `Object ${hash} is missing from the store (${key})`, { cause });
}
