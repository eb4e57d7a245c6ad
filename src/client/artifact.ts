/**
 * An output of a task: a declared file or directory, or a file or directory inside a
 * declared directory (`reports/summary.csv`). Content comes from the store's objects and is
 * verified before any of it is handed out (verified-read.ts).
 */
import { posix } from 'node:path';
import { basename, join, resolve as resolvePath } from 'node:path';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ExitCode, FlowctlError } from '../errors.js';
import type { DirManifestEntry } from '../store/manifest.js';
import type { OutputEntry } from '../store/records.js';
import type { Store } from '../store/store.js';
import { nearby, notFound } from './errors.js';
import { saveItem } from './save-artifact.js';
import type { Task } from './task.js';
import type { ArtifactJson } from './types.js';
import { naming, readVerified } from './verified-read.js';

type Resolved =
  | { type: 'file'; entry: OutputEntry }
  /** `files`: task-relative paths; `entries`: the manifest entries below the directory, relative to it. */
  | { type: 'dir'; size: number; hash: string | null; files: OutputEntry[]; entries: DirManifestEntry[] };

/** Links followed when resolving a path inside a directory output, before it counts as a loop (as the kernel's limit). */
const MAX_LINK_HOPS = 40;

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
    try {
      return await (await this.store()).readObject(entry.hash);
    } catch (e) {
      throw naming(e, this.pathspec);
    }
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

  /** The content as a stream; nothing is emitted before the object is verified (STORE_CORRUPT naming it if not). */
  stream(): Readable {
    const self = this;
    return Readable.from((async function* () {
      const entry = await self.fileEntry();
      yield* readVerified(await self.store(), entry.hash, entry.size, self.pathspec);
    })(), { objectMode: false });
  }

  /**
   * Save to a local path (a file, or a directory tree for a directory): an exact copy (modes,
   * empty directories, links as stored) built aside and renamed into place, so a failure leaves
   * nothing behind. Refuses to replace an existing path unless `overwrite` (which replaces it
   * whole). Saving a file into an existing directory keeps its name.
   * @example await task.artifact('model.json').saveTo('/tmp/model.json')
   */
  async saveTo(dest: string, opts: { overwrite?: boolean } = {}): Promise<{ path: string; files: number; bytes: number }> {
    const r = await this.resolve();
    let target = resolvePath(dest);
    if (r.type === 'file' && (await stat(target).catch(() => undefined))?.isDirectory()) target = join(target, basename(this.path));
    const store = await this.store();
    const open = (hash: string, size: number, rel: string) => readVerified(store, hash, size, rel ? `${this.pathspec}/${rel}` : this.pathspec);
    if (r.type === 'file') {
      await saveItem(target, { type: 'file', hash: r.entry.hash, size: r.entry.size, mode: r.entry.mode }, open, opts);
      return { path: target, files: 1, bytes: r.entry.size };
    }
    await saveItem(target, { type: 'dir', entries: r.entries }, open, opts);
    return { path: target, files: r.files.length, bytes: r.size };
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
    if (exact) return dirOf(exact.path, await store.readDirManifest(exact), exact.hash);
    const parent = outputs.find((o) => o.type === 'dir' && this.path.startsWith(`${o.path}/`));
    if (parent) {
      const entries = await store.readDirManifest(parent);
      const rel = this.followLinks(entries, this.path.slice(parent.path.length + 1));
      if (rel === '') return dirOf(parent.path, entries, parent.hash);
      const hit = entries.find((e) => e.path === rel);
      if (hit?.type === 'file') return { type: 'file', entry: { path: this.path, type: 'file', hash: hit.hash, size: hit.size, ...(hit.mode ? { mode: hit.mode } : {}) } };
      if (hit?.type === 'dir' || entries.some((e) => e.path.startsWith(`${rel}/`))) {
        const below = entries.filter((e) => e.path.startsWith(`${rel}/`)).map((e) => ({ ...e, path: e.path.slice(rel.length + 1) }));
        return dirOf(`${parent.path}/${rel}`, below, null);
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

  /** `rel` with every link along it replaced by its target ('' is the directory output itself). */
  private followLinks(entries: DirManifestEntry[], rel: string): string {
    const links = new Map(entries.flatMap((e) => (e.type === 'symlink' ? [[e.path, e.target] as const] : [])));
    for (let hops = 0; hops < MAX_LINK_HOPS; hops++) {
      const parts = rel.split('/');
      const i = parts.findIndex((_, n) => links.has(parts.slice(0, n + 1).join('/')));
      if (i < 0) return rel;
      const link = parts.slice(0, i + 1).join('/');
      const next = posix.normalize(posix.join(posix.dirname(link), links.get(link)!, ...parts.slice(i + 1)));
      rel = next === '.' ? '' : next;
    }
    throw new FlowctlError('ARTIFACT_LINK_LOOP', `${this.pathspec} leads through a loop of links`, { exitCode: ExitCode.Usage });
  }
}

/** A directory artifact at task-relative `base` from manifest entries relative to it. */
function dirOf(base: string, entries: DirManifestEntry[], hash: string | null): Extract<Resolved, { type: 'dir' }> {
  const files: OutputEntry[] = entries.flatMap((e) =>
    e.type === 'file' ? [{ path: `${base}/${e.path}`, type: 'file' as const, hash: e.hash, size: e.size, ...(e.mode ? { mode: e.mode } : {}) }] : []);
  return { type: 'dir', size: files.reduce((n, f) => n + f.size, 0), hash, files, entries };
}
