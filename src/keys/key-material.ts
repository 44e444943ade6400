/**
 * Secret key bytes held by one key object, with disposal. Shared by `SecretKey`, `SigningKey`
 * and `PrivateKey` so that every secret key wipes the same way.
 * @module
 */
import { cryptoError } from './errors.js';
import { wipeCachedCopies } from './key-caches.js';

/**
 * Owns a secret byte array. `bytes()` returns the live array (never hand it out of the keys
 * module), or throws `crypto/key-disposed` once `dispose()` ran; `dispose()` zeroes the array and
 * the provider caches' copies of it. Idempotent.
 */
export class KeyMaterial {
  #bytes: Uint8Array;
  #disposed = false;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** The live secret bytes; throws `crypto/key-disposed` after `dispose()`. */
  bytes(what: string): Uint8Array {
    if (this.#disposed) throw cryptoError('crypto/key-disposed', `${what} was disposed`);
    return this.#bytes;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    wipeCachedCopies(this.#bytes);
    this.#bytes.fill(0);
  }
}
