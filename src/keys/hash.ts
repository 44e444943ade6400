/**
 * SHA-256, HMAC-SHA256 and HKDF-SHA256 through the current provider, plus noble-backed
 * synchronous and incremental SHA-256 (streams hash block by block without holding a file).
 * @module
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { assertBytes, cryptoError } from './errors.js';
import { getCryptoProvider } from './provider.js';

/** SHA-256 of `data` through the current provider. Throws `crypto/invalid-input` on non-bytes. */
export function sha256(data: Uint8Array): Promise<Uint8Array> {
  return getCryptoProvider().sha256(data);
}

/** SHA-256 of `data`, synchronously (noble). Throws `crypto/invalid-input` on non-bytes. */
export function sha256Sync(data: Uint8Array): Uint8Array {
  assertBytes(data, 'data');
  return nobleSha256(data);
}

/** An incremental SHA-256 context. */
export interface Sha256Context {
  /** Feeds more bytes; throws `crypto/invalid-input` after `digest()` or on non-bytes. */
  update(data: Uint8Array): void;
  /** Returns the 32-byte digest; the context is finished afterwards. */
  digest(): Uint8Array;
}

/** Starts an incremental SHA-256 (noble). */
export function createSha256(): Sha256Context {
  const h = nobleSha256.create();
  let done = false;
  return {
    update(data: Uint8Array): void {
      assertBytes(data, 'data');
      if (done) throw cryptoError('crypto/invalid-input', 'SHA-256 context already finished');
      h.update(data);
    },
    digest(): Uint8Array {
      if (done) throw cryptoError('crypto/invalid-input', 'SHA-256 context already finished');
      done = true;
      return h.digest();
    },
  };
}

/** HMAC-SHA256 (RFC 2104) through the current provider; any key length. */
export function hmacSha256(key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  return getCryptoProvider().hmacSha256(key, data);
}

/**
 * HKDF-SHA256 (RFC 5869) through the current provider. Throws `crypto/invalid-input` unless
 * `length` is an integer in 1..8160.
 */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  return getCryptoProvider().hkdfSha256(ikm, salt, info, length);
}
