/** The store: content-addressed objects, run metadata and the two ports behind them. */
export { openFsPorts, type FsPorts } from './fs-store.js';
export { removeTree } from './fs-util.js';
export { hashFile, sha256 } from './hash.js';
export { IgnoreMatcher } from './ignore.js';
export type { CodeFile, CodeManifest, DirManifestDir, DirManifestEntry, DirManifestFile } from './manifest.js';
export { findStoreDir, locateStore, openStore, STORE_DIR, type OpenStoreOptions } from './open.js';
export type { KeyEntry, KeyStat, KeyStore } from './key-store.js';
export type { MaterializeOptions, ObjectEntry, ObjectInfo, ObjectStore } from './object-store.js';
export * from './records.js';
export { RUN_ID_PATTERN, runIdTime } from './run-id.js';
export type { CodeSnapshot, SnapshotOptions } from './code-snapshot.js';
export { compareTaskIds, Store, type StorePorts } from './store.js';
export { StoreMaintenance, type CacheEntryListing } from './maintenance.js';
export { cacheEntryTarget, ReferenceWalker, type CodeRef, type ObjectRef, type Reference, type RefProblem, type WalkOptions } from './references.js';
export { parseKey, type KeyKind } from './key-layout.js';
