/**
 * Turns output chunks into masked log bytes (for the log file) and complete lines (for
 * live views). Memory stays bounded: a line longer than `maxLineBytes` is cut (at a space
 * when there is one near the end, and never inside a secret when `maskCut` is given), and a
 * view only ever sees the first `maxLogLineChars` characters of a line.
 *
 * Bytes are preserved exactly: a valid UTF-8 line is masked as text; anything else
 * (binary output) is masked through latin1, which round-trips every byte and still masks
 * ASCII secrets.
 */
import { isUtf8 } from 'node:buffer';

export interface LineSplitterOptions {
  /** Replaces secrets in a line with `***`. Without it, file bytes are passed through untouched. */
  mask?: (text: string) => string;
  /** Moves the cut of an over-long line (a byte offset) back so that it does not split a secret. */
  maskCut?: (bytes: Buffer, at: number) => number;
  /** Longest line buffered whole for masking (default 1 MiB). */
  maxLineBytes?: number;
  /** Longest line handed to `onLine` (default 64 Ki characters); longer ones are truncated. */
  maxLogLineChars?: number;
}

const NL = 0x0a;
const NEWLINE = Buffer.from('\n');
/** How far back from a forced cut to look for a space to cut after. */
const CUT_WINDOW = 64 * 1024;

/**
 * @example
 * const s = new LineSplitter((b) => file.write(b), (l) => console.log(l), { mask });
 * s.push(chunk); … s.end();
 */
export class LineSplitter {
  private readonly mask?: (text: string) => string;
  private readonly maskCut?: (bytes: Buffer, at: number) => number;
  private readonly maxLineBytes: number;
  private readonly maxLogLineChars: number;
  /** Masked mode: the unterminated tail. Plain mode: the first bytes of the current line, for onLine. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Bytes of the current line beyond what `pending` keeps (plain mode). */
  private dropped = 0;
  /** The current line was already cut once and reported to onLine. */
  private continuing = false;

  constructor(
    private readonly write: (bytes: Buffer) => void,
    private readonly onLine?: (line: string) => void,
    opts: LineSplitterOptions = {},
  ) {
    this.mask = opts.mask;
    this.maskCut = opts.maskCut;
    this.maxLineBytes = opts.maxLineBytes ?? 1024 * 1024;
    this.maxLogLineChars = opts.maxLogLineChars ?? 64 * 1024;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.mask) this.pushMasked(chunk);
    else {
      this.write(chunk);
      if (this.onLine) this.scanPlain(chunk);
    }
  }

  /** Flush the final line, which has no trailing newline. */
  end(): void {
    if (this.pendingBytes === 0 && this.dropped === 0) return;
    const rest = this.takePending();
    if (this.mask) {
      const out: Buffer[] = [];
      this.emitMasked(rest, false, out, true);
      this.write(Buffer.concat(out));
    } else {
      this.emitLog(rest.toString('utf8'), this.dropped);
    }
    this.dropped = 0;
    this.continuing = false;
  }

  private takePending(tail?: Buffer): Buffer {
    const parts = tail ? [...this.pending, tail] : this.pending;
    const line = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private pushMasked(chunk: Buffer): void {
    const out: Buffer[] = [];
    const last = chunk.lastIndexOf(NL);
    if (last !== -1) {
      const block = this.takePending(chunk.subarray(0, last));
      if (isUtf8(block)) this.emitMaskedBlock(block, out);
      else {
        let from = 0;
        for (let nl = block.indexOf(NL); nl !== -1; nl = block.indexOf(NL, from)) {
          this.emitMasked(block.subarray(from, nl), true, out);
          from = nl + 1;
        }
        this.emitMasked(block.subarray(from), true, out);
      }
    }
    const start = last + 1;
    if (start < chunk.length) {
      // Copy: keeping a subarray would pin the whole chunk in memory.
      const tail = Buffer.from(chunk.subarray(start));
      this.pending.push(tail);
      this.pendingBytes += tail.length;
      while (this.pendingBytes > this.maxLineBytes) {
        const buf = this.takePending();
        const at = cutPoint(buf, this.maxLineBytes);
        const cut = this.maskCut ? this.maskCut(buf, at) : at;
        this.emitMasked(buf.subarray(0, cut), false, out);
        this.pending = [Buffer.from(buf.subarray(cut))];
        this.pendingBytes = buf.length - cut;
      }
    }
    if (out.length > 0) this.write(out.length === 1 ? out[0]! : Buffer.concat(out));
  }

  /**
   * Text (the common case) is masked a block of complete lines at a time, at a fraction of
   * the per-line cost (~3x faster for short lines). Each line of a multi-line secret is a
   * needle of its own, so a secret whose lines arrive in separate blocks is still masked
   * (line by line; in one block the whole value may become a single `***`).
   */
  private emitMaskedBlock(block: Buffer, out: Buffer[]): void {
    const masked = this.mask!(block.toString('utf8'));
    out.push(Buffer.from(masked, 'utf8'), NEWLINE);
    if (this.onLine) {
      const lines = masked.split('\n');
      for (let i = this.continuing ? 1 : 0; i < lines.length; i++) this.emitLog(lines[i]!, 0);
    }
    this.continuing = false;
  }

  /** `final`: the output's last line, not a cut of an over-long one. */
  private emitMasked(bytes: Buffer, terminated: boolean, out: Buffer[], final = false): void {
    const utf8 = isUtf8(bytes);
    const encoding = utf8 ? 'utf8' : 'latin1';
    const masked = this.mask!(bytes.toString(encoding));
    out.push(Buffer.from(masked, encoding));
    if (terminated) out.push(NEWLINE);
    if (this.onLine && !this.continuing) {
      this.emitLog(utf8 ? masked : Buffer.from(masked, 'latin1').toString('utf8'), terminated || final ? 0 : 1);
    }
    this.continuing = !terminated;
  }

  private scanPlain(chunk: Buffer): void {
    const first = chunk.indexOf(NL);
    if (first === -1) {
      this.keepHead(chunk, true);
      return;
    }
    this.keepHead(chunk.subarray(0, first));
    this.emitLog(this.takePending().toString('utf8'), this.dropped);
    this.dropped = 0;
    const last = chunk.lastIndexOf(NL);
    // The lines wholly inside this chunk are decoded in one go (at most a chunk long).
    if (last > first) for (const line of chunk.toString('utf8', first + 1, last).split('\n')) this.emitLog(line, 0);
    if (last + 1 < chunk.length) this.keepHead(chunk.subarray(last + 1), true);
  }

  /** Plain mode keeps only what onLine can show (4 bytes per character at most). */
  private keepHead(piece: Buffer, copy = false): void {
    const room = Math.max(0, this.maxLogLineChars * 4 - this.pendingBytes);
    const kept = piece.length <= room ? piece : piece.subarray(0, room);
    if (kept.length > 0) {
      // A tail outlives this chunk: copy it rather than pin the whole chunk.
      this.pending.push(copy ? Buffer.from(kept) : kept);
      this.pendingBytes += kept.length;
    }
    this.dropped += piece.length - kept.length;
  }

  /** `droppedBytes` > 0 marks a line known to be longer than what `text` holds. */
  private emitLog(text: string, droppedBytes: number): void {
    let line = text.endsWith('\r') ? text.slice(0, -1) : text;
    // What a terminal shows for progress bars redrawn with \r.
    const cr = line.lastIndexOf('\r');
    if (cr !== -1) line = line.slice(cr + 1);
    if (line.length > this.maxLogLineChars || droppedBytes > 0) {
      line = `${line.slice(0, this.maxLogLineChars)}… [line truncated]`;
    }
    this.onLine!(line);
  }
}

/** Cut an over-long line after the last space or tab near `limit`, else at `limit`. */
function cutPoint(buf: Buffer, limit: number): number {
  for (let i = limit - 1; i >= Math.max(1, limit - CUT_WINDOW); i--) {
    const b = buf[i];
    if (b === 0x20 || b === 0x09) return i + 1;
  }
  return limit;
}
