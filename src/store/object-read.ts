/** Streaming a local object file while hashing it again: a change a stat check could not see still ends in an error. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The file's chunks; after the last one, `corrupt()` is thrown when the content does not hash to `hash`. */
export async function* hashedStream(path: string, hash: string, corrupt: (actual: string) => Error): AsyncGenerator<Buffer> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    yield chunk as Buffer;
  }
  const actual = h.digest('hex');
  if (actual !== hash) throw corrupt(actual);
}
