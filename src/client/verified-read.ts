/**
 * Reading an object's content for a user (`show`, `Artifact.text()/bytes()/stream()`,
 * `saveTo`): no byte is handed out before the object is verified. Small objects are read whole
 * and hashed first; big ones pass the store's verified-stat check (re-hashed when their stat
 * changed since they were verified) and are hashed again while they stream.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ExitCode, FlowctlError, isFlowctlError } from '../errors.js';
import { keys } from '../store/records.js';
import type { Store } from '../store/store.js';

/** Up to this size an object is read whole and verified before its first byte is emitted. */
export const WHOLE_READ_MAX = 16 * 1024 * 1024;

/** The object's content as a stream; `what` (a pathspec) names it in errors. */
export function readVerified(store: Store, hash: string, size: number, what: string): Readable {
  return Readable.from((async function* () {
    try {
      if (size <= WHOLE_READ_MAX) {
        yield await store.backend.getObjectBytes(hash);
        return;
      }
      const local = store.backend.localPath(keys.object(hash));
      if (local !== undefined) {
        const state = await store.backend.verifyObject(hash, { size });
        if (state === 'missing') throw new FlowctlError('STORE_MISSING_OBJECT', `Object ${hash} is missing from the store (${keys.object(hash)})`, { exitCode: ExitCode.StepFailed });
        if (state === 'damaged') throw corrupt(hash, 'its content no longer matches its hash; it was moved to the store\'s quarantine/');
        yield* hashing(local, hash);
        return;
      }
      // A remote store: download into its local cache (streamed, verified; a cached copy passes the stat check) and stream that.
      const tmp = join(store.backend.scratchDir(), `.artifact-${randomBytes(6).toString('hex')}`);
      await store.backend.materializeObject(hash, tmp, { size });
      try {
        yield* hashing(tmp, hash);
      } finally {
        await rm(tmp, { force: true });
      }
    } catch (e) {
      throw naming(e, what);
    }
  })(), { objectMode: false });
}

/** Stream a file checked by its stat, hashing it again on the way (a change the stat could not show still ends in an error). */
async function* hashing(path: string, hash: string): AsyncGenerator<Buffer> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) {
    h.update(chunk as Buffer);
    yield chunk as Buffer;
  }
  const actual = h.digest('hex');
  if (actual !== hash) throw corrupt(hash, `its content hashes to ${actual}`);
}

function corrupt(hash: string, detail: string): FlowctlError {
  return new FlowctlError('STORE_CORRUPT', `Object ${keys.object(hash)} is corrupt: ${detail}`, {
    exitCode: ExitCode.StepFailed,
    hint: 'Run the flow again: the step that produced it is re-run (its cached result no longer counts) and writes a good copy.',
  });
}

/** The same error, saying which artifact the object belongs to. */
export function naming(e: unknown, what: string): unknown {
  if (!isFlowctlError(e) || (e.code !== 'STORE_CORRUPT' && e.code !== 'STORE_MISSING_OBJECT') || e.message.includes(what)) return e;
  return new FlowctlError(e.code, `${e.message} (${what})`, { exitCode: e.exitCode, hint: e.hint, cause: e });
}
