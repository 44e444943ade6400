/**
 * Caches of platform key objects derived from secret bytes, and the one place that wipes them.
 *
 * The WebCrypto provider imports a `CryptoKey` per key-bytes object (bulk encryption with one key
 * must not pay an import per block) and keeps a private copy of the bytes to detect a caller that
 * mutated its array. Disposing a key must reach those copies: every cache registers itself here,
 * and `wipeCachedCopies` zeroes and drops the copy held for a given array in all of them.
 * @module
 */
import { constantTimeEqual } from '../bytes.js';

const caches = new Set<ImportCache<unknown>>();

/**
 * Imported keys per key-bytes object (weakly held: an entry goes away with its array). The bytes
 * are remembered and compared on every hit, so a caller that mutates its array after use gets a
 * fresh import rather than a stale key.
 */
export class ImportCache<K = CryptoKey> {
  private readonly map = new WeakMap<Uint8Array, { copy: Uint8Array; key: Promise<K> }>();

  constructor() {
    caches.add(this as ImportCache<unknown>);
  }

  get(bytes: Uint8Array, load: (bytes: Uint8Array) => Promise<K>): Promise<K> {
    const hit = this.map.get(bytes);
    if (hit !== undefined && constantTimeEqual(hit.copy, bytes)) return hit.key;
    if (hit !== undefined) hit.copy.fill(0);
    const copy = bytes.slice();
    const key = load(copy);
    // A failed import must not stay cached.
    key.catch(() => {
      if (this.map.get(bytes)?.key === key) this.forget(bytes);
    });
    this.map.set(bytes, { copy, key });
    return key;
  }

  /** Zeroes the copy held for `bytes` and drops the entry (its CryptoKey goes with the GC). */
  forget(bytes: Uint8Array): void {
    const hit = this.map.get(bytes);
    if (hit === undefined) return;
    hit.copy.fill(0);
    this.map.delete(bytes);
  }
}

/**
 * Zeroes and drops every cached copy of `bytes` (matched by array identity) in every provider
 * cache. What it cannot do: wipe the imported non-extractable `CryptoKey` itself (no platform API
 * for that; it is only released, and freed when the GC collects it), nor copies the platform made
 * inside an import or an in-flight operation.
 */
export function wipeCachedCopies(bytes: Uint8Array): void {
  for (const c of caches) c.forget(bytes);
}
