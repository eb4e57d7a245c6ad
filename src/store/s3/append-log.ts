/**
 * appendText on S3, which has no append: each key is a log of segments, each PUT whole.
 *
 *   <key>                 segment 0; once full, re-PUT with metadata `flowctl-continued: 1`
 *   <key>.d/00000001 …    later segments, in order
 *
 * The writer keeps the open segment in memory and re-PUTs it on every append, coalescing
 * appends that arrive while a PUT is in flight (one PUT per key at a time). A segment is
 * closed past `segmentBytes`, so an append costs at most one segment's upload however long
 * the log grows, and a reader needs one GET for a typical run's events (under 1 MiB) and
 * `size / 1 MiB` GETs for a huge one. A log below the limit is a plain object at `<key>`,
 * readable by any S3 tool. Appenders are one process at a time per key (a run's events
 * have one writer); a new process continues after what is already there.
 */
import type { S3Bucket } from './s3-bucket.js';
import { mapLimit } from '../fs-util.js';

export const SEGMENT_BYTES = 1024 * 1024;
const CONTINUED = 'flowctl-continued';

interface LogState {
  ready: Promise<void>;
  /** Index of the open segment and its content as last written (or loaded). */
  seq: number;
  text: string;
  /** Appended text not yet written. */
  pending: string;
  /** The running flush; every append made while it runs resolves with it. */
  flushing?: Promise<void>;
}

export const segmentKey = (key: string, seq: number): string => (seq === 0 ? key : `${key}.d/${String(seq).padStart(8, '0')}`);

export class AppendLog {
  private readonly logs = new Map<string, LogState>();

  constructor(private readonly bucket: S3Bucket, private readonly segmentBytes = SEGMENT_BYTES) {}

  append(key: string, text: string): Promise<void> {
    let s = this.logs.get(key);
    if (!s) {
      s = { ready: Promise.resolve(), seq: 0, text: '', pending: '' };
      const state = s;
      // A failed load is forgotten, so the next append tries again rather than failing forever.
      s.ready = this.load(key, state).catch((e) => {
        this.logs.delete(key);
        throw e;
      });
      this.logs.set(key, s);
    }
    s.pending += text;
    const state = s;
    s.flushing ??= this.flush(key, state).finally(() => (state.flushing = undefined));
    return s.flushing;
  }

  /** The whole text of key (segments concatenated), or undefined when absent. */
  async read(key: string): Promise<string | undefined> {
    const first = await this.bucket.getText(key);
    if (!first) return undefined;
    if (!first.metadata[CONTINUED]) return first.text;
    const rest = (await this.bucket.listChildren(`${key}.d`)).filter((n) => /^\d{8}$/.test(n)).sort();
    const texts = await mapLimit(rest, 8, async (n) => (await this.bucket.getText(`${key}.d/${n}`))?.text ?? '');
    return first.text + texts.join('');
  }

  private async flush(key: string, s: LogState): Promise<void> {
    await s.ready;
    while (s.pending) {
      const take = s.pending;
      s.pending = '';
      try {
        if (s.text && Buffer.byteLength(s.text) + Buffer.byteLength(take) > this.segmentBytes) {
          // Close the open segment; segment 0 carries the marker that tells readers to look further.
          if (s.seq === 0) await this.bucket.putBytes(key, s.text, { metadata: { [CONTINUED]: '1' } });
          s.seq++;
          s.text = '';
        }
        const next = s.text + take;
        await this.bucket.putBytes(segmentKey(key, s.seq), next, s.seq === 0 ? {} : { contentType: 'application/x-ndjson' });
        s.text = next;
      } catch (e) {
        s.pending = take + s.pending; // the next append retries it
        throw e;
      }
    }
  }

  /** Continue a log another process started: find its open (last) segment. */
  private async load(key: string, s: LogState): Promise<void> {
    const first = await this.bucket.getText(key);
    if (!first) return;
    if (!first.metadata[CONTINUED]) {
      s.text = first.text;
      return;
    }
    const segs = (await this.bucket.listChildren(`${key}.d`)).filter((n) => /^\d{8}$/.test(n)).sort();
    const last = segs.at(-1);
    s.seq = last ? Number(last) : 1;
    s.text = last ? (await this.bucket.getText(`${key}.d/${last}`))?.text ?? '' : '';
  }
}
