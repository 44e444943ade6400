/**
 * `sealsync/storage/indexeddb`: persistent browser storage. `IndexedDbStorage` implements the
 * `Storage` interface on IndexedDB; `requestPersistentStorage` asks the browser not to evict it;
 * keep the password-protected device file in it with `DeviceFileStore` (from `sealsync/storage`).
 * @module
 */
export { IndexedDbStorage, INDEXEDDB_SCHEMA_VERSION, type IndexedDbStorageOptions } from './indexeddb-storage.js';
export { requestPersistentStorage, storageEstimate, type PersistenceResult } from './persistence.js';
export { idbErrorCode } from './idb-errors.js';
