/**
 * One output stream of an attempt: chunks from the child go through a LineSplitter into a
 * single WriteStream. When the disk is slower than the child, the child's pipe is paused
 * (so the child blocks) instead of buffering its output in memory.
 */
import { closeSync, createWriteStream, mkdirSync, openSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { LineSplitter, type LineSplitterOptions } from './line-splitter.js';

export class LogFile {
  private writeError: Error | undefined;
  private source: Readable | undefined;
  private paused = false;
  /** A mask/onLine callback threw: nothing more is written (it could leak an unmasked secret). */
  private broken = false;
  private readonly splitter: LineSplitter;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    private readonly ws: WriteStream,
    onLine: ((line: string) => void) | undefined,
    opts: LineSplitterOptions,
  ) {
    this.splitter = new LineSplitter((bytes) => this.writeBytes(bytes), onLine, opts);
    ws.on('error', (e) => {
      this.writeError ??= e;
      this.resume(); // nothing will drain any more; keep the child from blocking
    });
  }

  /** Create (truncate) the file, making its parent directories. */
  static async open(path: string, onLine: ((line: string) => void) | undefined, opts: LineSplitterOptions): Promise<LogFile> {
    // Synchronous mkdir + open: two small metadata operations on every attempt's critical
    // path, where thread-pool round trips cost more in queueing than the work itself.
    mkdirSync(dirname(path), { recursive: true });
    const fd = openSync(path, 'w');
    // autoClose off: close() closes the fd itself, synchronously (one less round trip per log).
    return new LogFile(path, fd, createWriteStream(path, { fd, autoClose: false }), onLine, opts);
  }

  /** Consume `source`; a throwing callback is reported through `onCallbackError` once. */
  attach(source: Readable, onCallbackError: (e: unknown) => void): void {
    this.source = source;
    source.on('data', (chunk: Buffer) => {
      if (this.broken) return;
      try {
        this.splitter.push(chunk);
      } catch (e) {
        this.broken = true;
        onCallbackError(e);
      }
    });
  }

  /**
   * Flush the last line, close the file, and return the first write error if any.
   * Throws what a callback threw while flushing.
   */
  async close(): Promise<Error | undefined> {
    let callbackError: unknown;
    if (!this.broken) {
      try {
        this.splitter.end();
      } catch (e) {
        callbackError = e;
      }
    }
    this.ws.end();
    await finished(this.ws).catch((e: Error) => {
      this.writeError ??= e;
    });
    try {
      closeSync(this.fd);
    } catch (e) {
      this.writeError ??= e as Error;
    }
    if (callbackError !== undefined) throw callbackError;
    return this.writeError;
  }

  private writeBytes(bytes: Buffer): void {
    if (this.writeError || bytes.length === 0) return;
    if (!this.ws.write(bytes) && this.source && !this.paused) {
      this.paused = true;
      this.source.pause();
      this.ws.once('drain', () => this.resume());
    }
  }

  private resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.source?.resume();
  }
}
