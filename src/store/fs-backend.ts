/**
 * The local store backend: the §4 layout as plain files under one root (normally
 * `<project>/.flowctl`). Every write lands in `<root>/tmp` first and is renamed into
 * place, so readers never see half a file. Objects live in fs-objects.ts.
 *
 * Durability trade-off: nothing is fsynced. Records are small and written on the hot path
 * (every task state change, every heartbeat), and a run cut short by a power loss is
 * re-run or resumed anyway. Rename still gives atomic visibility, and ext4 (auto_da_alloc,
 * its default) flushes a file's data before a rename that replaces it, so a rewritten
 * record is old or new after a crash; a brand-new one may come back empty, which readers
 * report as STORE_CORRUPT naming the key rather than misreading it.
 */
import { constants, rmSync, writeFileSync } from 'node:fs';
import { appendFile, copyFile, link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { FlowctlError } from '../errors.js';
import { FsObjects } from './fs-objects.js';
import { errno, renameInto, renameIntoSync, tempName } from './fs-util.js';
import type { MaterializeOptions, ObjectCheck, ObjectInfo, StoreBackend } from './port.js';

const { COPYFILE_FICLONE } = constants;

export class FsBackend implements StoreBackend {
  readonly kind = 'local' as const;
  readonly location: string;
  private readonly objects: FsObjects;

  /**
   * `readOnly` (a dry run): checking an object never repairs its stat nor quarantines it; a
   * damaged object only reads as absent.
   */
  constructor(root: string, opts: { readOnly?: boolean } = {}) {
    if (!isAbsolute(root)) throw new Error(`FsBackend root must be absolute, got ${root}`);
    this.location = root;
    this.objects = new FsObjects(root, this.scratchDir(), opts.readOnly ?? false);
  }

  /**
   * Create the root and its scratch dir. A root created here gets a `.gitignore` that keeps
   * the store out of the user's commits; an existing directory (`--datastore .`?) is left alone.
   */
  async init(): Promise<this> {
    const created = await mkdir(this.location, { recursive: true });
    await mkdir(this.scratchDir(), { recursive: true });
    if (created) await writeFile(join(this.location, '.gitignore'), '*\n', { flag: 'wx' });
    return this;
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

  /** The content, verified: STORE_CORRUPT (naming the key) when it does not match its hash. */
  getObjectBytes(hash: string): Promise<Buffer> {
    return this.objects.getBytes(hash);
  }

  /** A hardlink (a copy across filesystems) after the verified-stat check: O(1) unless the object's stat changed. */
  materializeObject(hash: string, destPath: string, opts: MaterializeOptions = {}): Promise<void> {
    return this.objects.materialize(hash, destPath, opts);
  }

  objectFile(hash: string): string {
    return this.objects.path(hash);
  }

  /** A damaged object goes to `<store>/quarantine/`. */
  verifyObject(hash: string, opts: { size?: number } = {}): Promise<ObjectCheck> {
    return this.objects.verify(hash, opts.size);
  }

  // ---- metadata ----

  async putText(key: string, body: string | Uint8Array): Promise<void> {
    const dest = this.path(key);
    const tmp = this.tempPath('txt');
    if (body.length <= SYNC_WRITE_MAX) {
      writeSmallSync(tmp, dest, body);
      return;
    }
    try {
      await writeFile(tmp, body);
      await renameInto(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
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
        return await renameInto(srcPath, dest);
      } catch (e) {
        if (errno(e) !== 'EXDEV') throw e;
      }
    }
    const tmp = this.tempPath('file');
    try {
      await copyFile(srcPath, tmp, COPYFILE_FICLONE);
      await renameInto(tmp, dest);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
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
}

/**
 * Records (task.json, attempt.json, cache entries, run.json) are a few hundred bytes and
 * written several times per task. Written asynchronously, each is four thread-pool round
 * trips (open, write, close, rename) whose queueing, not work, dominated a 1,000-task
 * fan-out (~1.7 ms of latency per record against ~0.05 ms done synchronously). Bigger bodies
 * keep the asynchronous path so the event loop never waits on a large write.
 */
const SYNC_WRITE_MAX = 64 * 1024;

function writeSmallSync(tmp: string, dest: string, body: string | Uint8Array): void {
  try {
    writeFileSync(tmp, body);
    renameIntoSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Keys come from flow, step and run names: refuse anything that could leave the store root. */
function checkKey(key: string): string {
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
    throw new FlowctlError('STORE_BAD_KEY', `Invalid store key ${JSON.stringify(key)}`);
  }
  return key;
}
