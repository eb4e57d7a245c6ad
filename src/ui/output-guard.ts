/**
 * Progress output that cannot be written never stops or corrupts a run. When the reader of a
 * pipe goes away (`flowctl run f.yaml 2>&1 >out | head -1`: EPIPE), the descriptor is closed
 * or read-only (EBADF), or a file's disk is full (ENOSPC), Node reports it as an 'error' event
 * on process.stderr/stdout, which ends the process when nobody listens: the run would die
 * silently and stay `running`. A guarded stream swallows those errors and stops writing; the
 * run goes on, records everything and exits with its own exit code.
 */

/** A stream's guarded writer: writes until the first error, then drops everything. */
export interface OutputGuard {
  /** Writes `text` unless the stream has failed; never throws. */
  write(text: string): void;
  /** The stream failed (or was closed): nothing more is written to it. */
  readonly broken: boolean;
}

const guards = new WeakMap<NodeJS.WritableStream, OutputGuard>();

/**
 * The guard of `stream` (one per stream; the first call replaces its 'error' listeners with
 * its own, which also protects raw `stream.write` calls elsewhere in the process).
 * @example guardOutput(process.stderr).write('step fit: started\n');
 */
export function guardOutput(stream: NodeJS.WritableStream): OutputGuard {
  let guard = guards.get(stream);
  if (guard) return guard;
  let broken = false;
  // The guard owns the stream's errors: oclif's own listener on stdout rethrows every error
  // but EPIPE (a full disk, EBADF), which would end the process as surely as no listener.
  stream.removeAllListeners('error');
  stream.on('error', () => {
    broken = true;
  });
  const writable = stream as NodeJS.WritableStream & { destroyed?: boolean; writableEnded?: boolean };
  guard = {
    write(text: string): void {
      if (broken) return;
      if (writable.destroyed || writable.writableEnded) {
        broken = true;
        return;
      }
      try {
        stream.write(text);
      } catch {
        broken = true;
      }
    },
    get broken() {
      return broken;
    },
  };
  guards.set(stream, guard);
  return guard;
}

/** Guards stdout and stderr of this process: a command that runs a flow calls it before the run starts. */
export function guardStandardOutput(): void {
  guardOutput(process.stdout);
  guardOutput(process.stderr);
}
