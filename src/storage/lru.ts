/**
 * A bounded least-recently-used map, for caches whose entries are pure functions of their key
 * (or are only ever a conservative hint): losing an entry to eviction costs recomputation, never
 * correctness.
 * @module
 */
import { ArgumentError } from '../errors.js';

/**
 * At most `capacity` entries; `get` and `set` mark an entry most recently used, and `set` beyond
 * capacity drops the least recently used one. Relies on `Map` iterating in insertion order.
 * Throws `ArgumentError` `argument/out-of-range` unless `capacity` is a positive safe integer.
 */
export class LruCache<K, V> {
  readonly #map = new Map<K, V>();
  readonly #capacity: number;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new ArgumentError('argument/out-of-range', `cache capacity must be a positive integer, got ${capacity}`);
    }
    this.#capacity = capacity;
  }

  /** The value for `key`, or `undefined`; a hit becomes the most recently used entry. */
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  /** Stores `value` as the most recently used entry, evicting the oldest one if full. */
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#capacity) this.#map.delete(this.#map.keys().next().value as K);
  }

  /** Removes `key`; returns whether it was present. */
  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  /** Number of entries (at most the capacity). */
  get size(): number {
    return this.#map.size;
  }
}
