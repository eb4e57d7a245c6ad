/**
 * Logs of an attempt that runs away from the orchestrating machine (an AWS Batch job) on a
 * store whose logs are not live (S3). The runner writes local files as usual; every `everyMs`
 * what they gained is appended to the stored logs (whole lines where possible), so the
 * orchestrator's live view and `flowctl logs --follow` see the output while the job runs.
 *
 * At the end a log that stayed small is replaced by the file itself (exact bytes, one PUT);
 * a long one is finished with a last append (the store keeps long appended logs in segments,
 * and a whole-file PUT would leave those behind). Appended text is UTF-8: bytes that are not
 * valid UTF-8 reach a long log as U+FFFD.
 */
import { randomBytes } from 'node:crypto';
import { lstat, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import type { AttemptLogs, Store } from '../store/store.js';

type Stream = 'stdout' | 'stderr';
type Ref = readonly [flow: string, runId: string, step: string, taskId: string, attempt: number];

/** Below this much appended text the stored log is one object (S3 segments start at 1 MiB): replaced whole at the end. */
const WHOLE_LIMIT = 1024 * 1024 - 64 * 1024;
/** A chunk without a newline is shipped anyway once this long (a progress bar, a huge line). */
const PARTIAL_LINE_BYTES = 64 * 1024;

interface StreamState {
  path: string;
  /** Bytes of the file shipped so far. */
  offset: number;
  decoder: StringDecoder;
  /** Text appended to the stored log so far (UTF-16 length is enough for the limit). */
  appended: number;
}

/** @example const logs = liveAttemptLogs(store, [flow, runId, step, taskId, 1], 3000); … await logs.commit(); */
export function liveAttemptLogs(store: Store, ref: Ref, everyMs: number): AttemptLogs {
  const dir = store.scratchPath('logs', `${ref[1]}-live-${randomBytes(6).toString('hex')}`);
  const streams: Record<Stream, StreamState> = {
    stdout: { path: join(dir, 'stdout'), offset: 0, decoder: new StringDecoder('utf8'), appended: 0 },
    stderr: { path: join(dir, 'stderr'), offset: 0, decoder: new StringDecoder('utf8'), appended: 0 },
  };
  let shipping: Promise<void> = Promise.resolve();
  let failed = false;
  const tick = () => {
    shipping = shipping.then(async () => {
      if (failed) return;
      for (const s of ['stdout', 'stderr'] as const) await ship(store, ref, s, streams[s], false);
    }).catch(() => {
      // A store that cannot be appended to now only delays the output until the end: the
      // attempt must not fail for its live view.
      failed = true;
    });
  };
  const timer = setInterval(tick, everyMs);
  timer.unref();
  return {
    stdoutPath: streams.stdout.path,
    stderrPath: streams.stderr.path,
    async commit() {
      clearInterval(timer);
      await shipping;
      for (const s of ['stdout', 'stderr'] as const) {
        const st = streams[s];
        // Only the regular file the runner wrote: never follow a link put in its place.
        const info = await lstat(st.path).catch(() => undefined);
        if (info && !info.isFile()) {
          await store.appendAttemptLog(...ref, s, `[flowctl: the task replaced its ${s} file; the rest of its log is lost]\n`);
        } else if (st.appended <= WHOLE_LIMIT && info) {
          await store.putAttemptLog(...ref, s, st.path);
        } else if (info) {
          await ship(store, ref, s, st, true);
        }
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Append what the file gained since the last ship: up to its last newline, unless `final` or a long partial line. */
async function ship(store: Store, ref: Ref, stream: Stream, st: StreamState, final: boolean): Promise<void> {
  const info = await lstat(st.path).catch(() => undefined);
  if (!info?.isFile() || info.size <= st.offset) {
    if (final) await appendText(store, ref, stream, st, st.decoder.end());
    return;
  }
  const fh = await open(st.path, 'r');
  let chunk: Buffer;
  try {
    chunk = Buffer.alloc(info.size - st.offset);
    const { bytesRead } = await fh.read(chunk, 0, chunk.length, st.offset);
    chunk = chunk.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
  if (!final) {
    const nl = chunk.lastIndexOf(0x0a);
    if (nl >= 0) chunk = chunk.subarray(0, nl + 1);
    else if (chunk.length < PARTIAL_LINE_BYTES) return;
  }
  st.offset += chunk.length;
  await appendText(store, ref, stream, st, st.decoder.write(chunk) + (final ? st.decoder.end() : ''));
}

async function appendText(store: Store, ref: Ref, stream: Stream, st: StreamState, text: string): Promise<void> {
  if (!text) return;
  await store.appendAttemptLog(...ref, stream, text);
  st.appended += text.length;
}
