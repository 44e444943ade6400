/**
 * `EncryptedStorage`: wraps any `Storage` so that everything it holds at rest is encrypted with
 * the device's local storage key (DESIGN §9: "a stolen disk reveals nothing").
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
 * Known limits (documented, not hidden): value sizes and the number of items per namespace are
 * visible; an attacker with write access can delete items or put back an older ciphertext of the
 * same key (rollback), which AEAD alone cannot detect — data synced from the server is protected
 * against that by the signed version chains (DESIGN §9), not by this layer.
 * @module
 */
import { concatBytes, toHex, utf8Decode, utf8Encode } from '../bytes.js';
import { ArgumentError, StorageError } from '../errors.js';
import { SecretKey, deriveKey, hmacSha256 } from '../keys/index.js';
import { validateBatch, validateKey, validateNamespace, validatePrefix, validateValue, selectKeys } from './names.js';
import { RwLock } from './rw-lock.js';
import type { Storage, StorageOp } from './storage.js';

const NUL = new Uint8Array([0]);
const ITEM_AAD = utf8Encode('sealsync/1/storage-item');
const NAME_AAD = utf8Encode('sealsync/1/storage-name');
const INNER_KEY_RE = /^[0-9a-f]{64}$/;

function corrupt(what: string, cause?: unknown): StorageError {
  return new StorageError('storage/corrupt', `encrypted storage: ${what}`, { cause });
}

/** `utf8(ns) ‖ 0x00 ‖ utf8(key)`: the identity of an item, for key derivation and AAD. */
function itemId(ns: string, key: string): Uint8Array {
  return concatBytes(utf8Encode(ns), NUL, utf8Encode(key));
}

/**
 * A `Storage` whose values, key names and namespace names are encrypted or keyed-hashed before
 * they reach `inner` (see the module comment). `inner` must not be shared with other writers.
 * Throws `ArgumentError` if `localKey` is not a `SecretKey`.
 */
export class EncryptedStorage implements Storage {
  readonly #inner: Storage;
  readonly #localKey: SecretKey;
  readonly #nameKey: Promise<Uint8Array>;
  // `list` reads several inner entries: the lock keeps a concurrent batch from being seen half done.
  readonly #lock = new RwLock();
  readonly #nsCache = new Map<string, Promise<{ data: string; index: string }>>();
  #closed = false;

  constructor(inner: Storage, localKey: SecretKey) {
    if (!(localKey instanceof SecretKey)) throw new ArgumentError('argument/invalid', 'localKey must be a SecretKey');
    this.#inner = inner;
    this.#localKey = localKey;
    this.#nameKey = deriveKey(localKey, 'storage-names', new Uint8Array(0)).then((k) => k.toBytes());
  }

  /** See `Storage.get`. Rejects `storage/corrupt` if the stored bytes fail authentication. */
  async get(ns: string, key: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    const [names, ik] = await Promise.all([this.#namespaces(ns), this.#innerKey(ns, key)]);
    const blob = await this.#inner.get(names.data, ik);
    if (blob === undefined) return undefined;
    const itemKey = await deriveKey(this.#localKey, 'storage-item', itemId(ns, key));
    try {
      return await itemKey.decrypt(blob, concatBytes(ITEM_AAD, NUL, itemId(ns, key)));
    } catch (e) {
      throw corrupt(`value of ${ns}/${JSON.stringify(key)} failed authentication`, e);
    }
  }

  /** See `Storage.put`. */
  async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    return this.batch([{ op: 'put', ns, key, value }]);
  }

  /** See `Storage.delete`. */
  async delete(ns: string, key: string): Promise<boolean> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    const [names, ik] = await Promise.all([this.#namespaces(ns), this.#innerKey(ns, key)]);
    return this.#lock.write(async () => {
      const existed = (await this.#inner.get(names.index, ik)) !== undefined;
      await this.#inner.batch([
        { op: 'delete', ns: names.data, key: ik },
        { op: 'delete', ns: names.index, key: ik },
      ]);
      return existed;
    });
  }

  /**
   * See `Storage.list`. Decrypts the namespace's index; rejects `storage/corrupt` if an index
   * entry fails authentication or the inner namespace holds a name this wrapper did not write.
   */
  async list(ns: string, prefix?: string): Promise<string[]> {
    this.#checkOpen();
    validateNamespace(ns);
    validatePrefix(prefix);
    const names = await this.#namespaces(ns);
    const entries = await this.#lock.read(async () => {
      const inner = await this.#inner.list(names.index);
      return Promise.all(inner.map(async (ik) => [ik, await this.#inner.get(names.index, ik)] as const));
    });
    const keys = await Promise.all(
      entries.map(async ([ik, blob]) => {
        if (!INNER_KEY_RE.test(ik) || blob === undefined) throw corrupt(`unexpected index entry in ${ns}`);
        const macBytes = utf8Encode(ik);
        const k = await deriveKey(this.#localKey, 'storage-name', concatBytes(utf8Encode(ns), NUL, macBytes));
        try {
          const name = utf8Decode(await k.decrypt(blob, concatBytes(NAME_AAD, NUL, utf8Encode(ns), NUL, macBytes)));
          validateKey(name);
          return name;
        } catch (e) {
          throw corrupt(`index entry of ${ns} failed authentication`, e);
        }
      }),
    );
    return selectKeys(keys, prefix);
  }

  /** See `Storage.batch`: all or nothing, as the inner storage's batch is. */
  async batch(ops: readonly StorageOp[]): Promise<void> {
    this.#checkOpen();
    validateBatch(ops);
    // Snapshot the values before the first await: callers may reuse their buffers.
    const snapshot = ops.map((op): StorageOp => (op.op === 'put' ? { ...op, value: op.value.slice() } : { ...op }));
    const innerOps = (await Promise.all(snapshot.map((op) => this.#toInner(op)))).flat();
    if (innerOps.length === 0) return;
    await this.#lock.write(() => this.#inner.batch(innerOps));
  }

  /** See `Storage.close`. Closes the inner storage too. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#lock.write(() => this.#inner.close());
  }

  async #toInner(op: StorageOp): Promise<StorageOp[]> {
    const [names, ik] = await Promise.all([this.#namespaces(op.ns), this.#innerKey(op.ns, op.key)]);
    if (op.op === 'delete') {
      return [
        { op: 'delete', ns: names.data, key: ik },
        { op: 'delete', ns: names.index, key: ik },
      ];
    }
    validateValue(op.value);
    const id = itemId(op.ns, op.key);
    const macBytes = utf8Encode(ik);
    const [itemKey, nameKey] = await Promise.all([
      deriveKey(this.#localKey, 'storage-item', id),
      deriveKey(this.#localKey, 'storage-name', concatBytes(utf8Encode(op.ns), NUL, macBytes)),
    ]);
    const [valueBlob, nameBlob] = await Promise.all([
      itemKey.encrypt(op.value, concatBytes(ITEM_AAD, NUL, id)),
      nameKey.encrypt(utf8Encode(op.key), concatBytes(NAME_AAD, NUL, utf8Encode(op.ns), NUL, macBytes)),
    ]);
    return [
      { op: 'put', ns: names.data, key: ik, value: valueBlob },
      { op: 'put', ns: names.index, key: ik, value: nameBlob },
    ];
  }

  async #mac(label: string, data: Uint8Array): Promise<string> {
    return toHex(await hmacSha256(await this.#nameKey, concatBytes(utf8Encode(label), NUL, data)));
  }

  #innerKey(ns: string, key: string): Promise<string> {
    return this.#mac('key', itemId(ns, key));
  }

  #namespaces(ns: string): Promise<{ data: string; index: string }> {
    let p = this.#nsCache.get(ns);
    if (p === undefined) {
      // 40 hex chars (160 bits) keep the name within the 64-character namespace rule.
      p = Promise.all([this.#mac('ns-data', utf8Encode(ns)), this.#mac('ns-index', utf8Encode(ns))]).then(([d, i]) => ({
        data: `d${d.slice(0, 40)}`,
        index: `i${i.slice(0, 40)}`,
      }));
      this.#nsCache.set(ns, p);
    }
    return p;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StorageError('storage/closed', 'storage is closed');
  }
}
