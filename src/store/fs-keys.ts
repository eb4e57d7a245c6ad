/**
 * The key port on a local directory: each key is a file under the store root. Every write
 * lands in the store's temp dir first and is renamed into place, so readers never see half a
 * file. Directories that are not keys (objects/, tmp/, quarantine/) are never listed.
 *
 * Durability trade-off: nothing is fsynced. Records are small and written on the hot path
 * (every task state change, every heartbeat), and a run cut short by a power loss is
 * re-run or resumed anyway. Rename still gives atomic visibility, and ext4 (auto_da_alloc,
 * its default) flushes a file's data before a rename that replaces it, so a rewritten
 * record is old or new after a crash; a brand-new one may come back empty, which readers
 * report as STORE_CORRUPT naming the key rather than misreading it.
 */
import { constants, createReadStream, rmSync, writeFileSync } from 'node:fs';
import { appendFile, copyFile, link, lstat, mkdir, open, opendir, readdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { FlowctlError } from '../errors.js';
import { errno, removeTree, renameInto, renameIntoSync, tempName } from './fs-util.js';
import type { KeyEntry, KeyStat, KeyStore } from './key-store.js';

const { COPYFILE_FICLONE } = constants;

/** Top-level directories of a local store that hold no keys. */
export const NOT_KEYS = new Set(['objects', 'tmp', 'quarantine', '.gitignore']);

export class FsKeyStore implements KeyStore {
  readonly live = true;

  /** root: the store root; tmp: a directory on the same filesystem for temp files. */
  constructor(readonly location: string, private readonly tmp: string) {
    if (!isAbsolute(location)) throw new Error(`FsKeyStore root must be absolute, got ${location}`);
  }

  async put(key: string, body: string | Uint8Array): Promise<void> {
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

  async get(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (e) {
      if (errno(e) === 'ENOENT') return undefined;
      throw e;
    }
  }

  async read(key: string, offset: number, length: number): Promise<Buffer | undefined> {
    const fh = await open(this.path(key), 'r').catch((e) => (errno(e) === 'ENOENT' ? undefined : Promise.reject(e)));
    if (!fh) return undefined;
    try {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await fh.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  }

  async *stream(key: string): AsyncGenerator<Buffer> {
    try {
      yield* createReadStream(this.path(key)) as AsyncIterable<Buffer>;
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
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

  async append(key: string, text: string): Promise<void> {
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
      const names = await readdir(this.path(prefix));
      // Code-unit order, not locale order: run ids must sort the same everywhere.
      return (prefix === '' ? names.filter((n) => !NOT_KEYS.has(n)) : names).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    } catch (e) {
      if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return [];
      throw e;
    }
  }

  /** Depth first, one directory handle per level open at a time. */
  async *listAll(prefix: string): AsyncGenerator<KeyEntry> {
    const walk = async function* (self: FsKeyStore, rel: string): AsyncGenerator<KeyEntry> {
      let dir;
      try {
        dir = await opendir(self.path(rel));
      } catch (e) {
        if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return;
        throw e;
      }
      for await (const ent of dir) {
        if (rel === '' && NOT_KEYS.has(ent.name)) continue;
        const key = rel ? `${rel}/${ent.name}` : ent.name;
        if (ent.isDirectory()) {
          yield* walk(self, key);
        } else {
          const st = await lstat(self.path(key)).catch(() => undefined);
          if (st?.isFile()) yield { key, size: st.size, mtimeMs: st.mtimeMs };
        }
      }
    };
    yield* walk(this, prefix);
  }

  async exists(key: string): Promise<boolean> {
    return stat(this.path(key)).then(() => true, () => false);
  }

  async stat(key: string): Promise<KeyStat | undefined> {
    const st = await stat(this.path(key)).catch(() => undefined);
    return st?.isFile() ? { size: st.size, mtimeMs: st.mtimeMs } : undefined;
  }

  async delete(key: string): Promise<void> {
    await unlink(this.path(key)).catch((e) => {
      if (errno(e) !== 'ENOENT') throw e;
    });
  }

  async deleteAll(prefix: string): Promise<number> {
    let n = 0;
    for await (const _ of this.listAll(prefix)) n++;
    await removeTree(this.path(prefix));
    return n;
  }

  inPlacePath(key: string): string {
    return this.path(key);
  }

  private path(key: string): string {
    return key === '' ? this.location : join(this.location, checkKey(key));
  }

  private tempPath(kind: string): string {
    return join(this.tmp, tempName(kind));
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
export function checkKey(key: string): string {
  const parts = key.split('/');
  if (key.startsWith('/') || parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\0'))) {
    throw new FlowctlError('STORE_BAD_KEY', `Invalid store key ${JSON.stringify(key)}`);
  }
  return key;
}
