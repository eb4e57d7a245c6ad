/** Writing to stdout the way `git log | head` expects: wait for each write, and end quietly when the reader goes away. */
import type { Writable } from 'node:stream';

export function write(stream: Writable, data: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.write(data, (e) => {
      if (!e) return resolve();
      // The reader closed the pipe (`… | head`): nothing more to say, and not an error.
      if ((e as NodeJS.ErrnoException).code === 'EPIPE' && stream === process.stdout) process.exit(0);
      reject(e);
    }));
}
