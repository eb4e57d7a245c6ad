/**
 * An output of a task: a declared file or directory, or a file or directory inside a
 * declared directory (`reports/summary.csv`). Content comes from the store's objects and is
 * verified against its sha256 on read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve as resolvePath } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ExitCode, FlowctlError } from '../errors.js';
import { keys, type OutputEntry } from '../store/records.js';
import type { Store } from '../store/store.js';
import { nearby, notFound } from './errors.js';
import type { Task } from './task.js';
import type { ArtifactJson } from './types.js';

type Resolved =
  | { type: 'file'; entry: OutputEntry }
  | { type: 'dir'; size: number; hash: string | null; files: OutputEntry[] };

export class Artifact {
  /** Relative to the task directory, without a trailing slash. */
  readonly path: string;
  private resolved?: Promise<Resolved>;

  /** Use `task.artifact(path)` or `task.artifacts()`. */
  constructor(readonly task: Task, path: string) {
    this.path = path.replace(/^\.\/+/, '').replace(/\/+$/, '');
  }

  /** `train/20261126T132857.867Z-vx1m5x/fit/0/metrics.json` */
  get pathspec(): string { return `${this.task.pathspec}/${this.path}`; }

  /** Type, size, sha256 and (for a directory) its files. */
  async info(): Promise<ArtifactJson> {
    const r = await this.resolve();
    if (r.type === 'file') return { pathspec: this.pathspec, path: this.path, type: 'file', size: r.entry.size, sha256: r.entry.hash, files: null };
    return {
      pathspec: this.pathspec, path: this.path, type: 'dir', size: r.size, sha256: r.hash,
      files: r.files.map((f) => ({ path: f.path, size: f.size, sha256: f.hash })),
    };
  }

  async isDirectory(): Promise<boolean> {
    return (await this.resolve()).type === 'dir';
  }

  /** A directory's files (recursively), or `[this]` for a file. */
  async files(): Promise<Artifact[]> {
    const r = await this.resolve();
    return r.type === 'file' ? [this] : r.files.map((f) => this.task.artifact(f.path));
  }

  /** The content, verified against its hash. */
  async bytes(): Promise<Buffer> {
    const entry = await this.fileEntry();
    return (await this.store()).backend.getObjectBytes(entry.hash);
  }

  async text(): Promise<string> {
    return (await this.bytes()).toString('utf8');
  }

  /** The content parsed as JSON. @example const m = await task.artifact('metrics.json').json<{ auc: number }>() */
  async json<T = unknown>(): Promise<T> {
    const text = await this.text();
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new FlowctlError('ARTIFACT_NOT_JSON', `${this.pathspec} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }

  /** The content as a stream (read from the object file on a local store); errors if it does not match its hash. */
  stream(): Readable {
    const self = this;
    return Readable.from((async function* () {
      const entry = await self.fileEntry();
      const store = await self.store();
      const local = store.backend.localPath(keys.object(entry.hash));
      if (local === undefined) {
        // A remote store: download into its local cache (streamed, verified) and stream that, never the whole object in memory.
        const tmp = join(store.backend.scratchDir(), `.artifact-${randomBytes(6).toString('hex')}`);
        await store.backend.materializeObject(entry.hash, tmp);
        try {
          for await (const chunk of createReadStream(tmp)) yield chunk as Buffer;
        } finally {
          await rm(tmp, { force: true });
        }
        return;
      }
      const hash = createHash('sha256');
      for await (const chunk of createReadStream(local)) {
        hash.update(chunk as Buffer);
        yield chunk as Buffer;
      }
      if (hash.digest('hex') !== entry.hash) {
        throw new FlowctlError('STORE_CORRUPT', `Object ${keys.object(entry.hash)} is corrupt (${self.pathspec})`, { hint: `Delete ${local} and re-run the step that produced it.` });
      }
    })(), { objectMode: false });
  }

  /**
   * Save to a local path (a file, or a directory tree for a directory); refuses to replace an
   * existing path unless `overwrite`. Saving a file into an existing directory keeps its name.
   * @example await task.artifact('model.json').saveTo('/tmp/model.json')
   */
  async saveTo(dest: string, opts: { overwrite?: boolean } = {}): Promise<{ path: string; files: number; bytes: number }> {
    const r = await this.resolve();
    let target = resolvePath(dest);
    const existing = await stat(target).catch(() => undefined);
    if (r.type === 'file' && existing?.isDirectory()) target = join(target, basename(this.path));
    if (!opts.overwrite && (await stat(target).catch(() => undefined))) {
      throw new FlowctlError('FILE_EXISTS', `${target} already exists`, { exitCode: ExitCode.Usage, hint: 'Pass --force (client API: { overwrite: true }) to replace it, or choose another path.' });
    }
    if (r.type === 'file') {
      await this.saveFile(this, r.entry, target);
      return { path: target, files: 1, bytes: r.entry.size };
    }
    await mkdir(target, { recursive: true });
    const prefix = this.path === '' ? '' : `${this.path}/`;
    for (const f of r.files) await this.saveFile(this.task.artifact(f.path), f, join(target, f.path.slice(prefix.length)));
    return { path: target, files: r.files.length, bytes: r.size };
  }

  private async saveFile(artifact: Artifact, entry: OutputEntry, target: string): Promise<void> {
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.${basename(target)}.flowctl-${randomBytes(4).toString('hex')}`);
    try {
      await pipeline(artifact.stream(), createWriteStream(tmp));
      if (entry.mode) await chmod(tmp, 0o755);
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  private async fileEntry(): Promise<OutputEntry> {
    const r = await this.resolve();
    if (r.type === 'dir') {
      throw new FlowctlError('ARTIFACT_IS_DIR', `${this.pathspec} is a directory (${r.files.length} files)`, {
        exitCode: ExitCode.Usage,
        hint: 'Read one of its files (artifact.files()), or save it whole with saveTo() / `flowctl show … -o DIR`.',
      });
    }
    return r.entry;
  }

  private store(): Promise<Store> {
    return this.task.run.ctx.store();
  }

  private resolve(): Promise<Resolved> {
    this.resolved ??= this.doResolve();
    return this.resolved;
  }

  private async doResolve(): Promise<Resolved> {
    await this.task.load();
    const store = await this.store();
    const outputs = this.task.outputs;
    const exact = outputs.find((o) => o.path === this.path);
    if (exact?.type === 'file') return { type: 'file', entry: exact };
    if (exact) return { type: 'dir', size: exact.size, hash: exact.hash, files: await store.listOutputFiles(exact) };
    const parent = outputs.find((o) => o.type === 'dir' && this.path.startsWith(`${o.path}/`));
    if (parent) {
      const rel = this.path.slice(parent.path.length + 1);
      const entries = await store.readDirManifest(parent);
      const file = entries.find((e) => e.type === 'file' && e.path === rel);
      if (file?.type === 'file') return { type: 'file', entry: { path: this.path, type: 'file', hash: file.hash, size: file.size, ...(file.mode ? { mode: file.mode } : {}) } };
      if (entries.some((e) => e.path === rel || e.path.startsWith(`${rel}/`))) {
        const files = (await store.listOutputFiles(parent)).filter((f) => f.path.startsWith(`${this.path}/`));
        return { type: 'dir', size: files.reduce((n, f) => n + f.size, 0), hash: null, files };
      }
      const paths = entries.map((e) => `${parent.path}/${e.path}${e.type === 'dir' ? '/' : ''}`);
      throw notFound(`Directory output ${this.task.pathspec}/${parent.path} has no '${rel}'${nearby('entries', paths, this.path)}`);
    }
    if (outputs.length === 0) {
      const why = this.task.successful ? '' : ` (outputs are stored only when a task succeeds; it is ${this.task.state}${this.task.reason ? `: ${this.task.reason}` : ''})`;
      throw notFound(`Task ${this.task.pathspec} has no outputs${why}`);
    }
    throw notFound(`Task ${this.task.pathspec} has no output '${this.path}'${nearby('outputs', outputs.map((o) => o.path), this.path)}`);
  }
}
