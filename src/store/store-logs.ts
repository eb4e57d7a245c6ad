/**
 * Reading and writing logs and events through the key port: where a running attempt writes
 * its stdout and stderr, and the ranged reads that let views follow a growing log or
 * events.ndjson without reading all of it each time (a local store reads just the new bytes;
 * S3, which has no ranged read across a segmented log, fetches the value and slices it).
 */
import { randomBytes } from 'node:crypto';
import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { hostTag } from './fs-util.js';
import type { KeyStore } from './key-store.js';

export type LogStream = 'stdout' | 'stderr';

/** See Store.attemptLogs. */
export interface AttemptLogs {
  stdoutPath: string;
  stderrPath: string;
  commit(): Promise<void>;
}

const READ_CHUNK = 256 * 1024;
const LINE_CHUNK = 64 * 1024;

/**
 * Local files for a running attempt's logs: the keys themselves where the store takes files in
 * place (they can be followed while the attempt runs), else files in `scratch` put on commit.
 */
export function attemptLogs(kv: KeyStore, key: (s: LogStream) => string, scratch: string, owner: string): AttemptLogs {
  const stdout = kv.inPlacePath(key('stdout'));
  const stderr = kv.inPlacePath(key('stderr'));
  if (stdout !== undefined && stderr !== undefined) return { stdoutPath: stdout, stderrPath: stderr, commit: async () => {} };
  // The writer's pid in the name: leftovers of a process that died are found and removed (leftovers.ts).
  const dir = join(scratch, `${owner}-${process.pid}-${hostTag()}${randomBytes(4).toString('hex')}`);
  return {
    stdoutPath: join(dir, 'stdout'),
    stderrPath: join(dir, 'stderr'),
    commit: async () => {
      for (const s of ['stdout', 'stderr'] as const) {
        // Only the regular file the runner wrote: never follow a link put in its place.
        const st = await lstat(join(dir, s)).catch(() => undefined);
        if (st?.isFile()) await kv.putFile(key(s), join(dir, s), { move: true });
        else if (st) await kv.put(key(s), `[flowctl: the task replaced its ${s} file; its log is lost]\n`);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** What a value holds past `offset`, in chunks (nothing when it does not exist yet). */
export async function* readFrom(kv: KeyStore, key: string, offset: number): AsyncGenerator<Buffer> {
  for (let pos = offset; ;) {
    const buf = await kv.read(key, pos, READ_CHUNK);
    if (!buf || buf.length === 0) return;
    pos += buf.length;
    yield buf;
    if (buf.length < READ_CHUNK) return;
  }
}

/** Where a tail of at most `tail` bytes of a value starts: 0, or just after a newline. */
export async function tailStart(kv: KeyStore, key: string, tail: number): Promise<number> {
  const size = (await kv.stat(key))?.size ?? 0;
  if (size <= tail) return 0;
  const start = size - tail;
  const buf = (await kv.read(key, start - 1, Math.min(tail, LINE_CHUNK))) ?? Buffer.alloc(0);
  const nl = buf.indexOf(10);
  return nl < 0 ? start : start - 1 + nl + 1;
}

/**
 * Up to maxBytes from `from`, extended to the next newline when a single line is longer;
 * `more` when the read stopped at maxBytes.
 */
export async function readSlice(kv: KeyStore, key: string, from: number, maxBytes: number): Promise<{ buf: Buffer; more: boolean }> {
  const parts: Buffer[] = [];
  for (let pos = from; ;) {
    const chunk = (await kv.read(key, pos, maxBytes)) ?? Buffer.alloc(0);
    parts.push(chunk);
    pos += chunk.length;
    if (chunk.length < maxBytes) return { buf: Buffer.concat(parts), more: false };
    if (chunk.lastIndexOf(10) >= 0) return { buf: Buffer.concat(parts), more: true };
  }
}

/** The first line of a value, read a chunk at a time; undefined while it has no newline (still being written) or is absent. */
export async function firstLine(kv: KeyStore, key: string): Promise<string | undefined> {
  const parts: Buffer[] = [];
  for (let pos = 0; ; pos += LINE_CHUNK) {
    const buf = await kv.read(key, pos, LINE_CHUNK);
    if (!buf) return undefined;
    const nl = buf.indexOf(10);
    if (nl >= 0) return Buffer.concat([...parts, buf.subarray(0, nl)]).toString('utf8');
    if (buf.length < LINE_CHUNK) return undefined;
    parts.push(buf);
  }
}
