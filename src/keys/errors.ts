/**
 * The stable `crypto/*` codes of the keys module and small guards that raise them.
 * @module
 */
import { CryptoError } from '../errors.js';

/** Every code a keys-module failure can carry (stable public API). */
export type CryptoErrorCode =
  | 'crypto/invalid-key-length'
  | 'crypto/weak-public-key'
  | 'crypto/decrypt-failed'
  | 'crypto/bad-signature'
  | 'crypto/weak-shared-secret'
  | 'crypto/weak-kdf-params'
  | 'crypto/excessive-kdf-params'
  | 'crypto/key-disposed'
  | 'crypto/invalid-input';

/** Builds a `CryptoError` with one of the stable codes. */
export function cryptoError(code: CryptoErrorCode, message: string, cause?: unknown): CryptoError {
  return new CryptoError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * Throws `crypto/invalid-input` unless `value` is a `Uint8Array`: a string or array slipping in
 * from untyped callers must surface as a sealsync error, not as a TypeError deep in a library.
 */
export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw cryptoError('crypto/invalid-input', `${name} must be a Uint8Array`);
  }
}

/** Throws `crypto/invalid-key-length` unless `key` is a `Uint8Array` of exactly `length` bytes. */
export function assertKeyLength(key: unknown, length: number, what: string): asserts key is Uint8Array {
  assertBytes(key, what);
  if (key.length !== length) {
    throw cryptoError('crypto/invalid-key-length', `${what} must be ${length} bytes, got ${key.length}`);
  }
}
