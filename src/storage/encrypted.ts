/**
 * `EncryptedStorage`: wraps any `Storage` so that everything it holds at rest is encrypted with
 * the device's local storage key (the sync model: "a stolen disk reveals nothing").
 *
 * What the inner storage sees, for a value `v` stored under namespace `ns` and key `k`:
 * - namespace `d<mac>` holding the value, and namespace `i<mac'>` holding an index entry, where
 *   the macs are HMAC-SHA256 (key derived from the local key) of the namespace name: namespace
 *   names are hidden too;
 * - under key `hex(HMAC(nameKey, "key" ‖ 0 ‖ ns ‖ 0 ‖ k))` in both: key names are hidden;
 * - the value as AES-256-GCM under a per-item key `deriveKey(localKey, 'storage-item', ns ‖ 0 ‖ k)`
 *   with AAD `"sealsync/1/storage-item" ‖ 0 ‖ ns ‖ 0 ‖ k`; the index entry is the key name `k`
 *   encrypted the same way under `'storage-name'`, bound to `ns` and the inner key. (A namespace
 *   never contains NUL, so `ns ‖ 0 ‖ k` is unambiguous.)
 *
 * So a value copied or moved to another key or namespace, a swapped pair of files, or any altered
 * byte fails authentication: `get`/`list` reject with `StorageError` `storage/corrupt` (the
 * `CryptoError` as `cause`) instead of returning someone else's bytes.
 *
 * Cost (the client pays it per file, so it matters): the name MAC and the key derivations are
 * computed synchronously (`StorageKeys`: one small HMAC each, byte-identical to `deriveKey`);
 * only AES-GCM goes through the crypto provider. Bounded caches remember, per instance, the inner
 * name and item key of recently used keys, which index entries this instance knows to be present
 * (an overwrite then rewrites only the value: the index entry holds just the name, which did not
 * change) and the index entries it already authenticated (a later `list` compares the stored
 * bytes with them instead of decrypting again). Eviction only costs recomputation; the "known
 * present" marks are set only after the inner batch that wrote the entry resolved, and cleared by
 * deletes and by failed batches, so they never claim an entry that is not there.
 *
 * Opaque namespaces (`EncryptedStorage` option `opaqueNamespaces`): values there are stored as
 * given, not sealed again with the local key. Only for values that are already encrypted and
 * authenticated end to end and verified on every read by their reader — the client's blocks,
 * AES-GCM under a realm key with an AAD binding realm, block id and key index, checked against the
 * signed manifest's digest — so that a block is encrypted once on the writer and decrypted once on
 * the reader (issue 14). Key and namespace names stay MACed and the index entry sealed as
 * everywhere else; a swapped, copied or altered value is refused by the reader's own checks instead
 * of by this layer. Such values live in their own inner namespace (`o<mac>`): a value an earlier
 * version sealed under `d<mac>` is still found (and unsealed) when the opaque one is absent.
 *
 * Known limits (documented, not hidden): value sizes and the number of items per namespace are
 * visible; an attacker with write access can delete items or put back an older ciphertext of the
 * same key (rollback), which AEAD alone cannot detect — data synced from the server is protected
 * against that by the signed version chains (the sync model), not by this layer.
 * @module
 */
import { concatBytes, equalBytes, utf8Decode, utf8Encode } from '../bytes.js';
import { ArgumentError, StorageError } from '../errors.js';
import { SecretKey } from '../keys/index.js';
import { LruCache } from './lru.js';
import { validateBatch, validateKey, validateNamespace, validatePrefix, selectKeys } from './names.js';
import { RwLock } from './rw-lock.js';
import type { Storage, StorageOp } from './storage.js';
import { StorageKeys } from './storage-keys.js';

const NUL = new Uint8Array([0]);
const ITEM_AAD = utf8Encode('sealsync/1/storage-item');
const NAME_AAD = utf8Encode('sealsync/1/storage-name');
const INNER_KEY_RE = /^[0-9a-f]{64}$/;

/** Default number of keys each per-instance cache remembers (see `EncryptedStorageOptions`). */
export const DEFAULT_STORAGE_CACHE_ENTRIES = 4096;

/** Options of {@link EncryptedStorage}. */
export interface EncryptedStorageOptions {
  /**
   * How many keys the per-instance caches remember (default `DEFAULT_STORAGE_CACHE_ENTRIES`).
   * Each entry holds an inner name, a derived item key (and the provider's imported copy of it)
   * and an index entry, a few hundred bytes in all.
   */
  readonly cacheEntries?: number;
  /**
   * Namespaces whose values are stored without the local-key encryption (see the module comment):
   * only for values already end-to-end encrypted, authenticated and verified by every reader.
   */
  readonly opaqueNamespaces?: (ns: string) => boolean;
}

function corrupt(what: string, cause?: unknown): StorageError {
  return new StorageError('storage/corrupt', `encrypted storage: ${what}`, { cause });
}

interface InnerNamespaces {
  readonly data: string;
  readonly index: string;
  /** For an opaque namespace: where its values are stored as given. */
  readonly opaque?: string;
}

/** Everything about one (ns, key) that is a pure function of it and of the local key. */
interface Item {
  readonly ns: string;
  readonly key: string;
  readonly names: InnerNamespaces;
  /** The inner key: the name MAC. It covers `ns` too, so it is unique across namespaces. */
  readonly ik: string;
  /** The value's key and AAD, derived on first use (a delete never needs them). */
  value?: { readonly key: SecretKey; readonly aad: Uint8Array };
}

/** An index entry this instance wrote or authenticated: the exact bytes and the name they hold. */
interface KnownEntry {
  readonly blob: Uint8Array;
  readonly name: string;
}

/**
 * A `Storage` whose values, key names and namespace names are encrypted or keyed-hashed before
 * they reach `inner` (see the module comment). `inner` must not be shared with other writers.
 * Throws `ArgumentError` if `localKey` is not a `SecretKey` or `options.cacheEntries` is not a
 * positive integer.
 */
export class EncryptedStorage implements Storage {
  readonly #inner: Storage;
  readonly #keys: StorageKeys;
  // Writes are queued on this FIFO lock synchronously at call time, so batches apply in call
  // order even though their encryption runs concurrently; `list` reads several inner entries
  // under it so that it never sees a batch half done.
  readonly #lock = new RwLock();
  readonly #nsCache = new Map<string, InnerNamespaces>();
  /** `ns ‖ 0 ‖ key` → its `Item`. */
  readonly #items: LruCache<string, Item>;
  /** Inner keys whose index entry is known to be in the inner storage (a hint; absent = unknown). */
  readonly #indexed: LruCache<string, true>;
  /**
   * `ns ‖ 0 ‖ inner key` → the index entry authenticated there. Keyed by the namespace the entry
   * was authenticated for: the same bytes copied into another namespace's index must still be
   * decrypted there, and fail.
   */
  readonly #entries: LruCache<string, KnownEntry>;
  readonly #opaque: ((ns: string) => boolean) | undefined;
  #closed = false;

  /**
   * Encrypting storage over `inner`.
   * @param inner - where the ciphertext goes (any `Storage`).
   * @param localKey - the device's local key (`LocalDevice.localStorageKey`); items and names are
   *   encrypted under keys derived from it.
   * @param options - cache size.
   * @throws {@link ArgumentError} `argument/invalid` when `localKey` is not a `SecretKey`,
   *   `argument/out-of-range` when `cacheEntries` is not a positive integer.
   * @example
   * ```ts
   * const storage = new EncryptedStorage(await FsStorage.open('./state'), device.localStorageKey);
   * ```
   */
  constructor(inner: Storage, localKey: SecretKey, options: EncryptedStorageOptions = {}) {
    if (!(localKey instanceof SecretKey)) throw new ArgumentError('argument/invalid', 'localKey must be a SecretKey');
    const capacity = options.cacheEntries ?? DEFAULT_STORAGE_CACHE_ENTRIES;
    this.#items = new LruCache(capacity);
    this.#indexed = new LruCache(capacity);
    this.#entries = new LruCache(capacity);
    this.#inner = inner;
    this.#keys = new StorageKeys(localKey);
    this.#opaque = options.opaqueNamespaces;
  }

  /** See `Storage.get`. Rejects `storage/corrupt` if the stored bytes fail authentication. */
  async get(ns: string, key: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    const item = this.#item(ns, key);
    if (item.names.opaque !== undefined) {
      // Stored as given: the caller's reader authenticates it (see the module comment).
      const value = await this.#inner.get(item.names.opaque, item.ik);
      if (value !== undefined) return value;
    }
    const blob = await this.#inner.get(item.names.data, item.ik);
    if (blob === undefined) return undefined;
    const { key: itemKey, aad } = this.#valueKey(item);
    try {
      return await itemKey.decrypt(blob, aad);
    } catch (e) {
      throw corrupt(`value of ${ns}/${JSON.stringify(key)} failed authentication`, e);
    }
  }

  /** See `Storage.put`. */
  async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    return this.batch([{ op: 'put', ns, key, value }]);
  }

  /** See `Storage.delete`. Needs no encryption: only the inner names. */
  async delete(ns: string, key: string): Promise<boolean> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    const item = this.#item(ns, key);
    return this.#lock.write(async () => {
      const existed = (await this.#inner.get(item.names.index, item.ik)) !== undefined;
      this.#forget(item);
      await this.#inner.batch(this.#deleteOps(item));
      return existed;
    });
  }

  /**
   * See `Storage.list`. Reads the namespace's index; rejects `storage/corrupt` if an index entry
   * fails authentication or the inner namespace holds a name this wrapper did not write. An entry
   * whose bytes equal ones already authenticated for the same namespace and inner key is not
   * decrypted again: the same ciphertext under the same key and AAD can only hold the same name.
   */
  async list(ns: string, prefix?: string): Promise<string[]> {
    this.#checkOpen();
    validateNamespace(ns);
    validatePrefix(prefix);
    const names = this.#namespaces(ns);
    const entries = await this.#lock.read(async () => {
      const inner = await this.#inner.list(names.index);
      return Promise.all(inner.map(async (ik) => [ik, await this.#inner.get(names.index, ik)] as const));
    });
    const keys = await Promise.all(
      entries.map(async ([ik, blob]) => {
        if (!INNER_KEY_RE.test(ik) || blob === undefined) throw corrupt(`unexpected index entry in ${ns}`);
        const known = this.#entries.get(`${ns}\0${ik}`);
        if (known !== undefined && equalBytes(known.blob, blob)) return known.name;
        const { key: k, aad } = this.#nameKey(ns, ik);
        try {
          const name = utf8Decode(await k.decrypt(blob, aad));
          validateKey(name);
          this.#entries.set(`${ns}\0${ik}`, { blob, name });
          return name;
        } catch (e) {
          throw corrupt(`index entry of ${ns} failed authentication`, e);
        }
      }),
    );
    return selectKeys(keys, prefix);
  }

  /**
   * See `Storage.batch`: all or nothing, as the inner storage's batch is. Every encryption of the
   * batch runs concurrently before the single inner batch; batches apply in call order.
   */
  async batch(ops: readonly StorageOp[]): Promise<void> {
    this.#checkOpen();
    validateBatch(ops);
    if (ops.length === 0) return;
    // Everything up to `#lock.write` runs before the first await: the values are read now
    // (callers may reuse their buffers) and the batch takes its place in the write queue now.
    const items = ops.map((op) => this.#item(op.ns, op.key));
    // A value handed over (`StorageOp.handOver`) is the caller's no more: no copy needed.
    const sealedValues = ops.map((op, i) => {
      if (op.op !== 'put') return undefined;
      const value = op.handOver === true ? op.value : op.value.slice();
      return items[i]!.names.opaque !== undefined ? value : this.#sealValue(items[i]!, value);
    });
    const sealedNames = new Map<string, Promise<Uint8Array>>();
    for (const [i, op] of ops.entries()) {
      const item = items[i]!;
      if (op.op === 'put' && !sealedNames.has(item.ik) && this.#indexed.get(item.ik) === undefined) {
        sealedNames.set(item.ik, this.#sealName(item));
      }
    }
    const sealed = Promise.all([Promise.all(sealedValues), Promise.all(sealedNames.values())]);
    // Awaited under the lock below; this keeps an early rejection from counting as unhandled.
    sealed.catch(() => undefined);
    return this.#lock.write(async () => {
      const [values] = await sealed;
      // Which index entries exist as the ops apply in order: a put needs one written unless it
      // is known present (from an earlier batch, or from an earlier op of this one).
      const present = new Map<string, { item: Item; indexed: boolean; touched: boolean; blob?: Uint8Array }>();
      const innerOps: StorageOp[] = [];
      for (const [i, op] of ops.entries()) {
        const item = items[i]!;
        const state = present.get(item.ik) ?? { item, indexed: this.#indexed.get(item.ik) !== undefined, touched: false };
        present.set(item.ik, state);
        if (op.op === 'delete') {
          innerOps.push(...this.#deleteOps(item));
          state.indexed = false;
          state.touched = true;
          continue;
        }
        // The value is a fresh ciphertext or a buffer handed over to this batch: nothing else
        // holds it, so the inner storage may keep it without another copy.
        innerOps.push({ op: 'put', ns: item.names.opaque ?? item.names.data, key: item.ik, value: values[i]!, handOver: true });
        if (!state.indexed) {
          state.blob ??= await (sealedNames.get(item.ik) ?? this.#sealName(item));
          innerOps.push({ op: 'put', ns: item.names.index, key: item.ik, value: state.blob });
          state.indexed = true;
          state.touched = true;
        }
      }
      // Until the inner batch resolves, no entry it writes or deletes may be marked present:
      // forget them first, so that a failed batch leaves only "unknown" (the next put rewrites
      // the entry, which is harmless). Entries the batch does not touch stay as they are.
      for (const { item, touched } of present.values()) if (touched) this.#forget(item);
      await this.#inner.batch(innerOps);
      for (const { item, indexed, touched, blob } of present.values()) {
        if (!touched || !indexed) continue;
        this.#indexed.set(item.ik, true);
        if (blob !== undefined) this.#entries.set(`${item.ns}\0${item.ik}`, { blob, name: item.key });
      }
    });
  }

  /** See `Storage.close`. Closes the inner storage too. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#lock.write(() => this.#inner.close());
  }

  /** Inner deletes of an item: its value (both places for an opaque namespace) and index entry. */
  #deleteOps(item: Item): StorageOp[] {
    const ops: StorageOp[] = [
      { op: 'delete', ns: item.names.data, key: item.ik },
      { op: 'delete', ns: item.names.index, key: item.ik },
    ];
    if (item.names.opaque !== undefined) ops.push({ op: 'delete', ns: item.names.opaque, key: item.ik });
    return ops;
  }

  #sealValue(item: Item, value: Uint8Array): Promise<Uint8Array> {
    const { key, aad } = this.#valueKey(item);
    return key.encrypt(value, aad);
  }

  #sealName(item: Item): Promise<Uint8Array> {
    const { key, aad } = this.#nameKey(item.ns, item.ik);
    return key.encrypt(utf8Encode(item.key), aad);
  }

  /** The index entry's key and AAD: bound to the namespace and the inner key it is stored under. */
  #nameKey(ns: string, ik: string): { key: SecretKey; aad: Uint8Array } {
    const where = concatBytes(utf8Encode(ns), NUL, utf8Encode(ik));
    return { key: this.#keys.itemKey('storage-name', where), aad: concatBytes(NAME_AAD, NUL, where) };
  }

  #valueKey(item: Item): { readonly key: SecretKey; readonly aad: Uint8Array } {
    if (item.value === undefined) {
      // `utf8(ns) ‖ 0x00 ‖ utf8(key)`: the identity of the item, for key derivation and AAD.
      const id = concatBytes(utf8Encode(item.ns), NUL, utf8Encode(item.key));
      item.value = { key: this.#keys.itemKey('storage-item', id), aad: concatBytes(ITEM_AAD, NUL, id) };
    }
    return item.value;
  }

  #item(ns: string, key: string): Item {
    const id = `${ns}\0${key}`;
    let item = this.#items.get(id);
    if (item === undefined) {
      item = { ns, key, names: this.#namespaces(ns), ik: this.#keys.mac('key', utf8Encode(id)) };
      this.#items.set(id, item);
    }
    return item;
  }

  /** Drops what this instance knew about the item's index entry (called before it may change). */
  #forget(item: Item): void {
    this.#indexed.delete(item.ik);
    this.#entries.delete(`${item.ns}\0${item.ik}`);
  }

  #namespaces(ns: string): InnerNamespaces {
    let names = this.#nsCache.get(ns);
    if (names === undefined) {
      // 40 hex chars (160 bits) keep the name within the 64-character namespace rule.
      const b = utf8Encode(ns);
      names = { data: `d${this.#keys.mac('ns-data', b).slice(0, 40)}`, index: `i${this.#keys.mac('ns-index', b).slice(0, 40)}` };
      if (this.#opaque?.(ns) === true) names = { ...names, opaque: `o${this.#keys.mac('ns-opaque', b).slice(0, 40)}` };
      this.#nsCache.set(ns, names);
    }
    return names;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StorageError('storage/closed', 'storage is closed');
  }
}
