/**
 * Reading an object's content for a user (`show`, `Artifact.text()/bytes()/stream()`,
 * `saveTo`): no byte is handed out before the object is verified. Small objects are read whole
 * and hashed first; big ones pass the store's verified-stat check (re-hashed when their stat
 * changed since they were verified) and are hashed again while they stream.
 */
import { Readable } from 'node:stream';
import { FlowctlError, isFlowctlError } from '../errors.js';
import type { Store } from '../store/store.js';

/** Up to this size an object is read whole and verified before its first byte is emitted. */
export const WHOLE_READ_MAX = 16 * 1024 * 1024;

/** The object's content as a stream; `what` (a pathspec) names it in errors. */
export function readVerified(store: Store, hash: string, size: number, what: string): Readable {
  return Readable.from((async function* () {
    try {
      if (size <= WHOLE_READ_MAX) yield await store.readObject(hash);
      else yield* store.readObjectStream(hash, size);
    } catch (e) {
      throw naming(e, what);
    }
  })(), { objectMode: false });
}

/** The same error, saying which artifact the object belongs to. */
export function naming(e: unknown, what: string): unknown {
  if (!isFlowctlError(e) || (e.code !== 'STORE_CORRUPT' && e.code !== 'STORE_MISSING_OBJECT') || e.message.includes(what)) return e;
  return new FlowctlError(e.code, `${e.message} (${what})`, { exitCode: e.exitCode, hint: e.hint, cause: e });
}
