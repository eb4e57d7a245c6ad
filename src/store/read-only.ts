/**
 * A store opened read-only (`run --dry-run`): every read of the ports works as usual, nothing
 * is written. Marking an object used (`touch`) only checks it is there, and any write is a bug
 * in the caller, so it throws rather than quietly changing the store. The local object store
 * also skips the repairs its checks make (fs-objects.ts `readOnly`: no stat reset, no quarantine).
 */
import type { KeyStore } from './key-store.js';
import type { ObjectStore } from './object-store.js';
import type { StorePorts } from './store.js';

function refused(what: string, location: string): never {
  throw new Error(`${what} on ${location}: the store is open read-only (a dry run writes nothing)`);
}

/** The ports of a store that must not change: reads pass through, writes throw. */
export function readOnlyPorts(ports: StorePorts): StorePorts {
  return { objects: readOnlyObjects(ports.objects), kv: readOnlyKeys(ports.kv) };
}

function readOnlyObjects(o: ObjectStore): ObjectStore {
  const no = (what: string) => () => refused(`objects.${what}`, o.location);
  return {
    kind: o.kind,
    location: o.location,
    checksAreCheap: o.checksAreCheap,
    damagedCopies: o.damagedCopies,
    putFile: no('putFile'),
    putBytes: no('putBytes'),
    has: (h) => o.has(h),
    // A use recorded by a dry run would keep objects through a gc that the real run never used.
    touch: (h) => o.has(h),
    getBytes: (h) => o.getBytes(h),
    read: (h, size) => o.read(h, size),
    peekBytes: (h) => o.peekBytes(h),
    verify: (h, opts) => o.verify(h, opts),
    rehash: (h) => o.rehash(h),
    stat: (h) => o.stat(h),
    list: () => o.list(),
    delete: no('delete'),
    deleteUnusedSince: no('deleteUnusedSince'),
    quarantine: no('quarantine'),
    materialize: (h, dest, opts) => o.materialize(h, dest, opts),
    localFile: (h) => o.localFile(h),
    scratchDir: () => o.scratchDir(),
    tempDir: () => o.tempDir(),
  };
}

function readOnlyKeys(kv: KeyStore): KeyStore {
  const no = (what: string) => () => refused(`keys.${what}`, kv.location);
  return {
    location: kv.location,
    live: kv.live,
    put: no('put'),
    putFile: no('putFile'),
    get: (k) => kv.get(k),
    read: (k, offset, length) => kv.read(k, offset, length),
    stream: (k) => kv.stream(k),
    append: no('append'),
    createExclusive: no('createExclusive'),
    list: (p) => kv.list(p),
    listAll: (p) => kv.listAll(p),
    exists: (k) => kv.exists(k),
    stat: (k) => kv.stat(k),
    delete: no('delete'),
    deleteAll: no('deleteAll'),
    // Nobody writes a log in place into a store that must not change.
    inPlacePath: () => undefined,
  };
}
