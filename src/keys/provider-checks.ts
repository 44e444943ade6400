/**
 * Argument checks shared by every provider, so that a refusal carries the same code whichever
 * implementation the platform ended up with.
 * @module
 */
import { assertBytes, assertKeyLength, cryptoError } from './errors.js';

export const AES_GCM_NONCE_LENGTH = 12;
export const AES_GCM_TAG_LENGTH = 16;
/** RFC 5869 §2.3: L <= 255 * HashLen. */
export const HKDF_SHA256_MAX_LENGTH = 255 * 32;

/** AES key 16/24/32 bytes, 96-bit nonce, byte plaintext/ciphertext and AAD. */
export function checkAesGcmArgs(key: unknown, nonce: unknown, data: unknown, aad: unknown): void {
  assertBytes(key, 'AES key');
  // No 192-bit keys: Chromium's WebCrypto refuses them, and every provider on every platform
  // must give the same verdict (the suite itself only uses 256-bit keys).
  if (key.length !== 16 && key.length !== 32) {
    throw cryptoError('crypto/invalid-key-length', `AES key must be 16 or 32 bytes, got ${key.length}`);
  }
  assertBytes(nonce, 'AES-GCM nonce');
  // Only 96-bit nonces: other lengths go through GHASH to derive J0 (NIST SP 800-38D §7.1),
  // a path with a weaker collision bound that the suite never needs.
  if (nonce.length !== AES_GCM_NONCE_LENGTH) {
    throw cryptoError('crypto/invalid-input', `AES-GCM nonce must be 12 bytes, got ${nonce.length}`);
  }
  assertBytes(data, 'AES-GCM data');
  assertBytes(aad, 'AES-GCM associated data');
}

/** HKDF arguments; `length` must be an integer in 1..8160. */
export function checkHkdfArgs(ikm: unknown, salt: unknown, info: unknown, length: unknown): void {
  assertBytes(ikm, 'HKDF ikm');
  assertBytes(salt, 'HKDF salt');
  assertBytes(info, 'HKDF info');
  if (typeof length !== 'number' || !Number.isInteger(length) || length < 1 || length > HKDF_SHA256_MAX_LENGTH) {
    throw cryptoError('crypto/invalid-input', `HKDF-SHA256 length must be 1..${HKDF_SHA256_MAX_LENGTH}, got ${String(length)}`);
  }
}

export function checkSeed(seed: unknown): asserts seed is Uint8Array {
  assertKeyLength(seed, 32, 'Ed25519 seed');
}

export function checkX25519Key(key: unknown, what: string): asserts key is Uint8Array {
  assertKeyLength(key, 32, what);
}

/** True when every byte is zero, without an early exit (the value is a secret). */
export function isAllZero(b: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < b.length; i++) acc |= b[i]!;
  return acc === 0;
}
