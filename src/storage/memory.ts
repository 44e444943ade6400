/**
 * In-memory `Storage`: the default backend, and the reference the others are tested against.
 * @module
 */
import { StorageError } from '../errors.js';
import { selectKeys, validateBatch, validateKey, validateNamespace, validatePrefix, validateValue } from './names.js';
import type { Storage, StorageOp } from './storage.js';

/** True when `v` spans its whole `ArrayBuffer`: keeping it pins no unrelated bytes. */
function ownsWholeBuffer(v: Uint8Array): boolean {
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength;
}

/**
 * Volatile storage in a `Map`. Values are copied on `put` and on `get`, so a caller that keeps
 * or reuses its buffer cannot change stored bytes behind the storage's back (a batch put marked
 * `handOver` is kept as is when it is a whole buffer of its own: its caller gave it up). A batch
 * is applied without any `await` in between its ops, so no other call can observe it half done.
 */
export class MemoryStorage implements Storage {
  readonly #data = new Map<string, Map<string, Uint8Array>>();
  #closed = false;

  /** See `Storage.get`. */
  async get(ns: string, key: string): Promise<Uint8Array | undefined> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    const v = this.#data.get(ns)?.get(key);
    return v === undefined ? undefined : v.slice();
  }

  /** See `Storage.put`. */
  async put(ns: string, key: string, value: Uint8Array): Promise<void> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    validateValue(value);
    this.#apply({ op: 'put', ns, key, value });
  }

  /** See `Storage.delete`. */
  async delete(ns: string, key: string): Promise<boolean> {
    this.#checkOpen();
    validateNamespace(ns);
    validateKey(key);
    return this.#apply({ op: 'delete', ns, key });
  }

  /** See `Storage.list`. */
  async list(ns: string, prefix?: string): Promise<string[]> {
    this.#checkOpen();
    validateNamespace(ns);
    validatePrefix(prefix);
    return selectKeys(this.#data.get(ns)?.keys() ?? [], prefix);
  }

  /** See `Storage.batch`. */
  async batch(ops: readonly StorageOp[]): Promise<void> {
    this.#checkOpen();
    validateBatch(ops);
    for (const op of ops) this.#apply(op);
  }

  /** See `Storage.close`. Drops the data. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#data.clear();
  }

  #apply(op: StorageOp): boolean {
    if (op.op === 'put') {
      let m = this.#data.get(op.ns);
      if (m === undefined) this.#data.set(op.ns, (m = new Map()));
      m.set(op.key, op.handOver === true && ownsWholeBuffer(op.value) ? op.value : op.value.slice());
      return true;
    }
    const m = this.#data.get(op.ns);
    const existed = m?.delete(op.key) ?? false;
    if (m !== undefined && m.size === 0) this.#data.delete(op.ns);
    return existed;
  }

  #checkOpen(): void {
    if (this.#closed) throw new StorageError('storage/closed', 'storage is closed');
  }
}
