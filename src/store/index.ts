/** The store: content-addressed objects, run metadata and the backends behind them. */
export { FsBackend } from './fs-backend.js';
export { removeTree } from './fs-util.js';
export { hashFile, sha256 } from './hash.js';
export { IgnoreMatcher } from './ignore.js';
export type { CodeFile, CodeManifest, DirManifestDir, DirManifestEntry, DirManifestFile } from './manifest.js';
export { findStoreDir, openStore, STORE_DIR, type OpenStoreOptions } from './open.js';
export type { MaterializeOptions, ObjectInfo, StoreBackend } from './port.js';
export * from './records.js';
export { RUN_ID_PATTERN, runIdTime } from './run-id.js';
export type { CodeSnapshot, SnapshotOptions } from './code-snapshot.js';
export { compareTaskIds, Store } from './store.js';
