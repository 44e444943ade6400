/**
 * `Storage` on IndexedDB, for browsers and workers. One object store holds every namespace; an
 * item's key is the pair `[namespace, key]`, so a namespace is a contiguous key range.
 * @module
 */
import { ArgumentError, StorageError } from '../../errors.js';
import { selectKeys, validateBatch, validateKey, validateNamespace, validatePrefix, validateValue } from '../names.js';
import type { Storage, StorageOp } from '../storage.js';
import { committed, idbError, request } from './idb-errors.js';

/** The object store of every item. */
const STORE = 'items';
/** The schema this code creates and reads. A later schema bumps it and upgrades in `onupgradeneeded`. */
export const INDEXEDDB_SCHEMA_VERSION = 1;

/** Options of `IndexedDbStorage.open` and `IndexedDbStorage.deleteDatabase`. */
export interface IndexedDbStorageOptions {
  /**
   * The IndexedDB factory to use; default `globalThis.indexedDB` (a window's or a worker's).
   * Pass another one to use a shim (for instance `fake-indexeddb` in Node tests).
   */
  readonly indexedDB?: IDBFactory;
  /** The `IDBKeyRange` of that implementation; default `globalThis.IDBKeyRange`. */
  readonly IDBKeyRange?: typeof IDBKeyRange;
}

function factoryOf(options: IndexedDbStorageOptions): IDBFactory {
  const f = options.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (f === undefined || f === null) throw new StorageError('storage/unsupported', 'IndexedDB is not available here');
  return f;
}

function keyRangeOf(options: IndexedDbStorageOptions): typeof IDBKeyRange {
  const r = options.IDBKeyRange ?? (globalThis as { IDBKeyRange?: typeof IDBKeyRange }).IDBKeyRange;
  if (r === undefined || r === null) throw new StorageError('storage/unsupported', 'IDBKeyRange is not available here');
  return r;
}

function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
    throw new ArgumentError('argument/invalid', 'an IndexedDB database name is a string of 1-256 characters');
  }
}

/**
 * Persistent browser storage in one IndexedDB database.
 *
 * - Every call is one IndexedDB transaction; `batch` puts all its ops in the same `readwrite`
 *   transaction, so they commit together or not at all (also when the tab dies mid-way).
 * - Writes use `durability: 'strict'`: a resolved `put`/`batch` has reached the disk.
 * - Values are stored as exact copies (a view on a larger buffer is not stored whole).
 * - When another tab upgrades or deletes the database, this connection closes itself instead of
 *   blocking it; later calls reject with `storage/closed`.
 * - IndexedDB sorts strings by UTF-16 code unit; `list` re-sorts by code point so that every
 *   backend returns the same order.
 *
 * Wrap it in `EncryptedStorage` (the `Client` does) unless what you store is encrypted already:
 * anything that can read the origin's storage can read IndexedDB.
 *
 * @example
 * ```ts
 * import { Client } from 'sealsync/client';
 * import { IndexedDbStorage, requestPersistentStorage } from 'sealsync/storage/indexeddb';
 *
 * await requestPersistentStorage(); // ask the browser not to evict it under storage pressure
 * const storage = await IndexedDbStorage.open(`sealsync-${device.deviceId}`);
 * const client = await Client.open({ device, transport, storage }); // encrypted at rest by the client
 * ```
 */
export class IndexedDbStorage implements Storage {
  readonly #db: IDBDatabase;
  readonly #keyRange: typeof IDBKeyRange;
  readonly #inflight = new Set<Promise<unknown>>();
  #closed = false;

  private constructor(db: IDBDatabase, keyRange: typeof IDBKeyRange) {
    this.#db = db;
    this.#keyRange = keyRange;
    // Another connection wants a newer schema or to delete the database: step aside (a
    // connection that stays open would block it forever; the other tab holds the newer code).
    db.onversionchange = () => {
      this.#closed = true;
      db.close();
    };
    // The browser closed the connection (storage cleared by the user, disk failure).
    db.onclose = () => {
      this.#closed = true;
    };
  }

  /**
   * Opens (creating it if needed) the database `name`.
   * @throws {StorageError} `storage/unsupported` (no IndexedDB here), `storage/upgrade-blocked`
   *   (another tab keeps an older version open: ask the user to close it and retry),
   *   `storage/newer-schema` (created by a newer sealsync), `storage/io` (refused, e.g. private
   *   browsing modes without storage).
   * @throws {ArgumentError} `argument/invalid` for an empty or overlong name.
   */
  static async open(name: string, options: IndexedDbStorageOptions = {}): Promise<IndexedDbStorage> {
    checkName(name);
    const factory = factoryOf(options);
    const keyRange = keyRangeOf(options);
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      let req: IDBOpenDBRequest;
      try {
        req = factory.open(name, INDEXEDDB_SCHEMA_VERSION);
      } catch (e) {
        reject(idbError(e, 'open'));
        return;
      }
      let gaveUp = false;
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE);
      };
      req.onblocked = () => {
        gaveUp = true;
        reject(new StorageError('storage/upgrade-blocked', `database ${name} is held open at an older version by another tab`));
      };
      req.onsuccess = () => {
        if (gaveUp) req.result.close(); // unblocked after we reported: do not leak the connection
        else resolve(req.result);
      };
      req.onerror = () => reject(idbError(req.error, 'open'));
    });
    return new IndexedDbStorage(db, keyRange);
  }

  /**
   * Deletes the database `name` and everything in it (for "sign out" and tests).
   * @throws {StorageError} `storage/upgrade-blocked` when another connection does not close (the
   *   deletion stays queued by the browser and happens once it closes), `storage/unsupported`,
   *   `storage/io`.
   */
  static async deleteDatabase(name: string, options: IndexedDbStorageOptions = {}): Promise<void> {
    checkName(name);
    const factory = factoryOf(options);
    await new Promise<void>((resolve, reject) => {
      const req = factory.deleteDatabase(name);
      req.onblocked = () => reject(new StorageError('storage/upgrade-blocked', `database ${name} is held open by another connection`));
      req.onsuccess = () => resolve();
      req.onerror = () => reject(idbError(req.error, 'delete'));
    });
  }

  /** See `Storage.get`. @throws {StorageError} `storage/closed`, `storage/corrupt`, `storage/io`, invalid names. */
  async get(ns: string, key: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    const v = await this.#run('readonly', 'get', (store) => request(store.get([ns, key]), 'get'));
    if (v === undefined) return undefined;
    if (!(v instanceof Uint8Array)) throw new StorageError('storage/corrupt', `item ${ns}/${key} is not a byte array`);
    return v; // a structured clone: already a fresh copy
  }

  /** See `Storage.put`. @throws {StorageError} `storage/quota-exceeded`, `storage/closed`, `storage/io`, invalid input. */
  async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    validateValue(value);
    const copy = value.slice();
    await this.#run('readwrite', 'put', (store) => request(store.put(copy, [ns, key]), 'put'));
  }

  /** See `Storage.delete`. @throws {StorageError} `storage/closed`, `storage/io`, invalid names. */
  async delete(ns: string, key: string): Promise<boolean> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    return this.#run('readwrite', 'delete', async (store) => {
      // Both requests are queued now, in this transaction: the count sees the state just before the delete.
      const count = request(store.count([ns, key]), 'delete');
      const del = request(store.delete([ns, key]), 'delete');
      const [n] = await Promise.all([count, del]);
      return n > 0;
    });
  }

  /** See `Storage.list`. @throws {StorageError} `storage/closed`, `storage/corrupt`, `storage/io`, invalid names. */
  async list(ns: string, prefix?: string): Promise<string[]> {
    this.#checkOpen();
    validateNamespace(ns);
    validatePrefix(prefix);
    // [ns, s] for any string s sorts before [ns, []] (arrays sort after strings).
    const range = this.#keyRange.bound([ns, prefix ?? ''], [ns, []]);
    const keys = await this.#run('readonly', 'list', (store) => request(store.getAllKeys(range), 'list'));
    const names: string[] = [];
    for (const k of keys) {
      if (!Array.isArray(k) || k.length !== 2 || typeof k[1] !== 'string') throw new StorageError('storage/corrupt', `unexpected key in namespace ${ns}`);
      if (prefix !== undefined && !k[1].startsWith(prefix)) break; // past the prefix's contiguous range
      names.push(k[1]);
    }
    return selectKeys(names, undefined);
  }

  /** See `Storage.batch`: one transaction. @throws {StorageError} `storage/quota-exceeded` (nothing applied), `storage/closed`, `storage/io`, invalid ops. */
  async batch(ops: readonly StorageOp[]): Promise<void> {
    this.#checkOpen();
    validateBatch(ops);
    if (ops.length === 0) return;
    const copies = ops.map((op) => (op.op === 'put' ? { ...op, value: op.value.slice() } : op));
    await this.#run('readwrite', 'batch', async (store) => {
      const reqs: Promise<unknown>[] = [];
      for (const op of copies) {
        reqs.push(op.op === 'put' ? request(store.put(op.value, [op.ns, op.key]), 'batch') : request(store.delete([op.ns, op.key]), 'batch'));
      }
      await Promise.all(reqs);
    });
  }

  /** See `Storage.close`: waits for in-flight transactions, then closes the connection. Keeps the data. */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      await Promise.allSettled([...this.#inflight]);
      this.#db.close();
    }
  }

  /**
   * Runs `fn` in one transaction and resolves with its result once the transaction has
   * committed (a write is never reported before it is durable, a read never from a transaction
   * that then aborted).
   */
  #run<T>(mode: IDBTransactionMode, doing: string, fn: (store: IDBObjectStore) => Promise<T>): Promise<T> {
    const p = (async () => {
      let tx: IDBTransaction;
      try {
        tx = this.#db.transaction(STORE, mode, { durability: mode === 'readwrite' ? 'strict' : 'default' });
      } catch (e) {
        if (this.#closed) throw new StorageError('storage/closed', 'storage is closed', { cause: e });
        throw idbError(e, doing);
      }
      const done = committed(tx, doing);
      let result: Promise<T>;
      try {
        result = fn(tx.objectStore(STORE));
      } catch (e) {
        // A request that cannot even be queued (e.g. DataCloneError): abort, nothing applied.
        done.catch(() => undefined);
        try {
          tx.abort();
        } catch {
          /* already finished */
        }
        throw idbError(e, doing);
      }
      // Both settle: a failed request also aborts the transaction; report the first failure.
      const [, value] = await Promise.all([done, result]);
      return value;
    })();
    this.#inflight.add(p);
    const forget = (): void => void this.#inflight.delete(p);
    p.then(forget, forget);
    return p;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StorageError('storage/closed', 'storage is closed');
  }
}
