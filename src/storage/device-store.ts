/**
 * Keeping device files in a `Storage`: in the browser that is where the device must live between
 * page loads (an `IndexedDbStorage`), in Node any backend works. What is stored is the
 * password-protected device file itself (Argon2id + AES-256-GCM), so the backend needs no
 * encryption of its own and must not get one keyed from the device it holds.
 * @module
 */
import { ArgumentError } from '../errors.js';
import { type LoadDeviceFileOptions, type LocalDevice, type SaveDeviceFileOptions, loadDeviceFile, saveDeviceFile } from './device-file.js';
import { validateKey, validateNamespace } from './names.js';
import type { Storage } from './storage.js';

/** Namespace `DeviceFileStore` uses by default. */
export const DEVICE_FILES_NAMESPACE = 'device-files';

/**
 * Named slots of device files in a `Storage` (one per device this app knows, e.g. per account).
 *
 * @example
 * ```ts
 * import { DeviceFileStore } from 'sealsync/storage';
 * import { IndexedDbStorage } from 'sealsync/storage/indexeddb';
 *
 * const devices = new DeviceFileStore(await IndexedDbStorage.open('sealsync-devices'));
 * await devices.save('alice', device, password);           // after bootstrap or enrollment
 * const again = await devices.load('alice', password);     // after a reload; undefined if absent
 * ```
 */
export class DeviceFileStore {
  readonly #storage: Storage;
  readonly #ns: string;

  /**
   * @param storage - where the files go; it is not closed by this class.
   * @param namespace - default `DEVICE_FILES_NAMESPACE`.
   * @throws {StorageError} `storage/invalid-namespace` for a bad namespace name.
   */
  constructor(storage: Storage, namespace: string = DEVICE_FILES_NAMESPACE) {
    validateNamespace(namespace);
    this.#storage = storage;
    this.#ns = namespace;
  }

  /**
   * Encrypts `device` under `password` (see `saveDeviceFile`) and stores it in `slot`,
   * replacing what was there.
   * @throws {ArgumentError} `argument/invalid` (empty password, wrong key classes).
   * @throws {StorageError} `storage/invalid-key` (bad slot), `storage/weak-kdf-params`, and the
   *   backend's errors (`storage/quota-exceeded`, `storage/io`, `storage/closed`).
   */
  async save(slot: string, device: LocalDevice, password: string, options?: SaveDeviceFileOptions): Promise<void> {
    validateKey(slot);
    await this.#storage.put(this.#ns, slot, await saveDeviceFile(device, password, options));
  }

  /**
   * The device in `slot`, or `undefined` when the slot is empty.
   * @throws {StorageError} `storage/wrong-password`, `storage/corrupt`, `storage/weak-kdf-params`,
   *   `storage/invalid-key`, the backend's errors.
   * @throws {ArgumentError} `argument/invalid` for an empty password.
   */
  async load(slot: string, password: string, options?: LoadDeviceFileOptions): Promise<LocalDevice | undefined> {
    validateKey(slot);
    if (typeof password !== 'string' || password.length === 0) throw new ArgumentError('argument/invalid', 'password must be a non-empty string');
    const bytes = await this.#storage.get(this.#ns, slot);
    return bytes === undefined ? undefined : loadDeviceFile(bytes, password, options);
  }

  /** The raw device file of `slot` (to export it as a file), or `undefined`. */
  async export(slot: string): Promise<Uint8Array | undefined> {
    validateKey(slot);
    return this.#storage.get(this.#ns, slot);
  }

  /** The occupied slots, sorted. */
  async list(): Promise<string[]> {
    return this.#storage.list(this.#ns);
  }

  /** Forgets the device of `slot`; `true` if there was one. */
  async remove(slot: string): Promise<boolean> {
    validateKey(slot);
    return this.#storage.delete(this.#ns, slot);
  }
}
