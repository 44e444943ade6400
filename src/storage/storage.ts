/**
 * The local storage interface (the sync model): named namespaces of string key → bytes, with an
 * atomic multi-key batch. Every implementation (memory, Node filesystem, IndexedDB, the encrypting
 * wrapper) follows the same contract, checked by one shared test suite.
 *
 * Contract, for every method:
 * - Namespace names and keys are validated first (see `validateNamespace` / `validateKey`); a bad
 *   one is a `StorageError` `storage/invalid-namespace` / `storage/invalid-key` and nothing is
 *   touched. The same rules hold for every backend, so code that works on memory works on disk.
 * - Values are `Uint8Array`s, copied on the way in and out: mutating a buffer you passed to `put`
 *   or got from `get` never changes what is stored (a batch put marked `handOver` may be kept
 *   without a copy: its caller promised never to touch it again).
 * - After `close()`, every call rejects with `StorageError` `storage/closed`.
 * - A failure of the medium is `StorageError` `storage/io` (the platform error as `cause`); data
 *   that is on the medium but unreadable as what it should be is `storage/corrupt`.
 * @module
 */

/** One write of a batch. Ops apply in order, so a later op on the same key wins. */
export type StorageOp =
  | {
      readonly op: 'put';
      readonly ns: string;
      readonly key: string;
      readonly value: Uint8Array;
      /**
       * The caller hands `value` over: it made the array for this write, holds no other reference
       * to it and will never read or modify it again, so the storage may keep it as is instead of
       * copying it (a 512 KiB block is then not copied twice more on its way in). A backend may
       * ignore it and copy, as the contract otherwise requires.
       */
      readonly handOver?: boolean;
    }
  | { readonly op: 'delete'; readonly ns: string; readonly key: string };

/**
 * Local key-value storage: named namespaces of string key → bytes, with an atomic multi-key
 * `batch`. The client keeps its local state here (through `EncryptedStorage`) and a
 * `DeviceFileStore` keeps device files here.
 *
 * Implementations: `MemoryStorage` (tests, ephemeral), `FsStorage` (Node, crash-safe),
 * `IndexedDbStorage` (browsers), `EncryptedStorage` (wraps any of them). All follow one contract,
 * checked by one shared test suite on each:
 * - namespaces and keys are validated first: `storage/invalid-namespace`, `storage/invalid-key`,
 *   and nothing is touched;
 * - values are copied on the way in and out;
 * - after `close()` every call rejects `storage/closed`;
 * - a failing medium is `storage/io` (platform error as `cause`), unreadable stored data is
 *   `storage/corrupt`.
 *
 * Every method rejects with a `StorageError`; implement this interface to plug in another medium.
 */
export interface Storage {
  /** The stored value (a fresh copy), or `undefined` when the key is absent. */
  get(ns: string, key: string): Promise<Uint8Array | undefined>;
  /** Creates or replaces the value. Durable when the promise resolves (for durable backends). */
  put(ns: string, key: string, value: Uint8Array): Promise<void>;
  /** Removes the key; resolves `true` if it existed, `false` if it was already absent. */
  delete(ns: string, key: string): Promise<boolean>;
  /**
   * The keys of `ns` that start with `prefix` (default: all), sorted by Unicode code point
   * (= bytewise UTF-8 order, identical on every backend). An unknown namespace is empty.
   */
  list(ns: string, prefix?: string): Promise<string[]>;
  /**
   * Applies every op or none: after a crash or a rejection, either all of them are visible or
   * none is. Every op is validated before anything is written. An empty batch is a no-op.
   */
  batch(ops: readonly StorageOp[]): Promise<void>;
  /** Waits for in-flight operations, then refuses further ones. Idempotent. */
  close(): Promise<void>;
}
