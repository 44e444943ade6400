/**
 * `sealsync/storage`: the local storage interface, the in-memory backend, the encrypting wrapper
 * and device files. The Node filesystem backend is a separate entry (`sealsync/storage/fs`) so
 * that browser bundles never pull in `node:fs`.
 * @module
 */
export type { Storage, StorageOp } from './storage.js';
export { MAX_KEY_BYTES, compareKeys, validateKey, validateNamespace } from './names.js';
export { MemoryStorage } from './memory.js';
export { EncryptedStorage, DEFAULT_STORAGE_CACHE_ENTRIES, type EncryptedStorageOptions } from './encrypted.js';
export {
  saveDeviceFile,
  loadDeviceFile,
  type LocalDevice,
  type SaveDeviceFileOptions,
  type LoadDeviceFileOptions,
} from './device-file.js';
export { DeviceFileStore, DEVICE_FILES_NAMESPACE } from './device-store.js';
export { MAX_DEVICE_FILE_ARGON2, MAX_DEVICE_FILE_ARGON2_WORK, checkDeviceFileKdf, type Argon2Costs } from './device-file-kdf.js';
